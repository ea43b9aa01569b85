import type { RouteContext, RouteDefinition } from '../../../src/route.js';

/**
 * GET /api/v1/conversations as meeshy's gateway runs it at isopen-io/meeshy ea1789df
 * (2026-08-22): services/gateway/src/routes/conversations/core.ts, the
 * `fastify.get('/conversations', …)` handler (lines 331–1079), with what it calls at the same
 * commit, each written here call for call and cited `file:line` (paths under
 * services/gateway/src/):
 *   - services/resolveVisibleLastMessage.ts `resolveVisibleLastMessages` and
 *     services/personalHistoryFilter.ts (`loadPersonalHistoryHiding`,
 *     `loadPersonalHistoryHidingByConversation`, `applyPersonalHistoryHiding`);
 *   - services/MessageReadStatusService.ts `getUnreadCountsForUser` (one participant read, the
 *     cursors, then one `message.count` per conversation);
 *   - services/PresenceVisibilityService.ts `resolvePrefsOnly` → PrivacyPreferencesService
 *     `getPreferencesForUsers` → preferences/privacy-cache.ts → preferences/privacy-storage.ts
 *     `loadStoredPrivacyPreferences` (the `user_preferences` documents, then the legacy
 *     `user_preference` rows of the users without one);
 *   - services/ConversationBridgeService.ts `buildBridgeData` (the "bridge", only when a
 *     conversation of the page has unread messages);
 *   - routes/conversations/utils/delta-tombstones.ts (only with `updatedSince`).
 *
 * Left out, because they send nothing to the database on this request: the auth middleware's
 * user (cached in CacheStore, middleware/auth.ts), the dynamic import of
 * MessageReadStatusService, the presence checker (in memory), the AI agent's HTTP summaries
 * (`AGENT_HOST` unset), `sendWithETag`. The application's `try/catch` failure postures
 * (resolveVisibleLastMessages, getUnreadCountsForUser, the bridge, the privacy reads and the
 * tombstones each swallow their errors and serve a default) are not copied: here a refused or
 * over-the-limit call must surface, not be swallowed.
 */

/** core.ts:79–106 `conversationListParticipantSelect`. */
const conversationListParticipantSelect = {
  id: true,
  conversationId: true,
  type: true,
  userId: true,
  displayName: true,
  avatar: true,
  role: true,
  language: true,
  nickname: true,
  joinedAt: true,
  isActive: true,
  isOnline: true,
  lastActiveAt: true,
  user: {
    select: {
      id: true,
      username: true,
      displayName: true,
      firstName: true,
      lastName: true,
      avatar: true,
      banner: true,
      isOnline: true,
      lastActiveAt: true,
    },
  },
} as const;

/** core.ts:120–140 `conversationUserPreferencesSelect`. */
const conversationUserPreferencesSelect = {
  isPinned: true,
  isMuted: true,
  isArchived: true,
  deletedForUserAt: true,
  clearHistoryBefore: true,
  tags: true,
  categoryId: true,
  reaction: true,
  customName: true,
  readingMode: true,
} as const;

/** core.ts:150–209 `conversationLastMessagePreviewSelect`: the nested `take: 1` and the follow-up read share it. */
const conversationLastMessagePreviewSelect = {
  id: true,
  content: true,
  createdAt: true,
  senderId: true,
  messageType: true,
  isBlurred: true,
  isViewOnce: true,
  effectFlags: true,
  expiresAt: true,
  translations: true,
  originalLanguage: true,
  metadata: true,
  sender: {
    select: {
      id: true,
      userId: true,
      displayName: true,
      avatar: true,
      type: true,
      user: { select: { id: true, username: true, displayName: true, avatar: true } },
    },
  },
  attachments: {
    take: 1,
    select: {
      id: true,
      mimeType: true,
      thumbnailUrl: true,
      originalName: true,
      fileSize: true,
      duration: true,
      width: true,
      height: true,
      bitrate: true,
      sampleRate: true,
      metadata: true,
    },
  },
  _count: { select: { attachments: true } },
} as const;

/** routes/conversations/utils/active-member-count.ts:21–23 `conversationActiveMemberCountSelect`. */
const conversationActiveMemberCountSelect = { participants: { where: { isActive: true } } } as const;

type Prisma = RouteContext['prisma'];
/** A record as Prisma returns it; the application reads it through `as any` too. */
type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Where = Record<string, unknown>;

// ─── personalHistoryFilter.ts ───────────────────────────────────────────────────────────

interface PersonalHistoryHiding {
  readonly clearHistoryBefore: Date | null;
  readonly hiddenMessageIds: readonly string[];
}

/** personalHistoryFilter.ts:52–55 */
const NO_PERSONAL_HIDING: PersonalHistoryHiding = { clearHistoryBefore: null, hiddenMessageIds: [] };

/** personalHistoryFilter.ts:57–58 */
const hidesNothing = (h: PersonalHistoryHiding): boolean => h.clearHistoryBefore === null && h.hiddenMessageIds.length === 0;

/** personalHistoryFilter.ts:63–79 `mergeCreatedAtLowerBound`. */
function mergeCreatedAtLowerBound(existing: unknown, cutoff: Date): Where {
  if (existing === null || existing === undefined || typeof existing !== 'object') return { gte: cutoff };
  const bound = { ...(existing as { gte?: Date; gt?: Date }) };
  const current = bound.gte ?? bound.gt;
  if (current !== undefined && current.getTime() >= cutoff.getTime()) return bound;
  delete bound.gt;
  return { ...bound, gte: cutoff };
}

/** personalHistoryFilter.ts:81–111 `mergeIdBound`. */
function mergeIdBound(existing: unknown, hiddenMessageIds: readonly string[]): Where {
  const hidden = new Set(hiddenMessageIds);
  if (typeof existing === 'string') return { in: hidden.has(existing) ? [] : [existing] };
  if (existing === null || existing === undefined || typeof existing !== 'object') return { notIn: [...hiddenMessageIds] };
  const bound = { ...(existing as { in?: string[]; notIn?: string[] }) };
  if (Array.isArray(bound.in)) return { ...bound, in: bound.in.filter((id) => !hidden.has(id)) };
  return { ...bound, notIn: Array.isArray(bound.notIn) ? [...bound.notIn, ...hiddenMessageIds] : [...hiddenMessageIds] };
}

/** personalHistoryFilter.ts:119–136 `applyPersonalHistoryHiding`: the caller's where, untouched when nothing is hidden. */
function applyPersonalHistoryHiding(where: Where, hiding: PersonalHistoryHiding): Where {
  if (hidesNothing(hiding)) return where;
  const next: Where = { ...where };
  if (hiding.clearHistoryBefore !== null) next.createdAt = mergeCreatedAtLowerBound(where.createdAt, hiding.clearHistoryBefore);
  if (hiding.hiddenMessageIds.length > 0) next.id = mergeIdBound(where.id, hiding.hiddenMessageIds);
  return next;
}

/** personalHistoryFilter.ts:159–190 `loadPersonalHistoryHiding`: one conversation's cut-off and deletions. */
async function loadPersonalHistoryHiding(prisma: Prisma, userId: string | null, conversationId: string): Promise<PersonalHistoryHiding> {
  if (!userId) return NO_PERSONAL_HIDING;
  const [prefs, deletions] = await Promise.all([
    // personalHistoryFilter.ts:167
    prisma.userConversationPreferences.findFirst({
      where: { userId, conversationId },
      select: { clearHistoryBefore: true },
    }),
    // personalHistoryFilter.ts:171
    prisma.userMessageDeletion.findMany({
      where: { userId, message: { conversationId } },
      select: { messageId: true },
    }),
  ]);
  const clearHistoryBefore: Date | null = prefs?.clearHistoryBefore ?? null;
  const hiddenMessageIds = (deletions as Row[]).map((d) => d.messageId as string);
  if (clearHistoryBefore === null && hiddenMessageIds.length === 0) return NO_PERSONAL_HIDING;
  return { clearHistoryBefore, hiddenMessageIds };
}

/** personalHistoryFilter.ts:270–318 `loadPersonalHistoryHidingByConversation`: the page's cut-offs and deletions, two batched reads. */
async function loadPersonalHistoryHidingByConversation(
  prisma: Prisma,
  userId: string | null,
  conversationIds: readonly string[],
): Promise<Map<string, PersonalHistoryHiding>> {
  const result = new Map<string, PersonalHistoryHiding>();
  if (!userId || conversationIds.length === 0) return result;
  const ids = [...conversationIds];
  const [prefs, deletions] = await Promise.all([
    // personalHistoryFilter.ts:280
    prisma.userConversationPreferences.findMany({
      where: { userId, conversationId: { in: ids }, clearHistoryBefore: { not: null } },
      select: { conversationId: true, clearHistoryBefore: true },
    }),
    // personalHistoryFilter.ts:284
    prisma.userMessageDeletion.findMany({
      where: { userId, message: { conversationId: { in: ids } } },
      select: { messageId: true, message: { select: { conversationId: true } } },
    }),
  ]);
  const cutoffs = new Map<string, Date>();
  for (const row of prefs as Row[]) if (row.clearHistoryBefore) cutoffs.set(row.conversationId, row.clearHistoryBefore);
  const hidden = new Map<string, string[]>();
  for (const row of deletions as Row[]) {
    const conversationId: string | undefined = row.message?.conversationId;
    if (!conversationId) continue;
    hidden.set(conversationId, [...(hidden.get(conversationId) ?? []), row.messageId]);
  }
  for (const conversationId of new Set([...cutoffs.keys(), ...hidden.keys()]))
    result.set(conversationId, {
      clearHistoryBefore: cutoffs.get(conversationId) ?? null,
      hiddenMessageIds: hidden.get(conversationId) ?? [],
    });
  return result;
}

// ─── resolveVisibleLastMessage.ts ───────────────────────────────────────────────────────

interface PreviewCandidate {
  readonly conversationId: string;
  readonly message: { id: string; createdAt: Date } | null;
  readonly clearHistoryBefore?: Date | null;
}

/**
 * resolveVisibleLastMessage.ts:61–137 `resolveVisibleLastMessages`: one read of the reader's
 * deletions among the page's previews; only a preview hidden from the reader costs more (its
 * hiding, then its conversation's newest visible message).
 */
async function resolveVisibleLastMessages(
  prisma: Prisma,
  userId: string | null,
  candidates: readonly PreviewCandidate[],
  query: { select: Record<string, unknown> },
): Promise<Map<string, unknown>> {
  const replacements = new Map<string, unknown>();
  if (!userId) return replacements;
  const withMessage = candidates.filter((c): c is PreviewCandidate & { message: { id: string; createdAt: Date } } => c.message !== null);
  if (withMessage.length === 0) return replacements;
  // The list passes every cut-off (`?? null`, core.ts:623), so `unknownCutoffs` is empty and the
  // second read of this Promise.all is never made on this route.
  const unknownCutoffs = withMessage.filter((c) => c.clearHistoryBefore === undefined).map((c) => c.conversationId);
  const [deletions, loadedCutoffs] = await Promise.all([
    // resolveVisibleLastMessage.ts:79
    prisma.userMessageDeletion.findMany({
      where: { userId, messageId: { in: withMessage.map((c) => c.message.id) } },
      select: { messageId: true },
    }),
    unknownCutoffs.length === 0
      ? Promise.resolve([])
      : // resolveVisibleLastMessage.ts:85
        prisma.userConversationPreferences.findMany({
          where: { userId, conversationId: { in: unknownCutoffs }, clearHistoryBefore: { not: null } },
          select: { conversationId: true, clearHistoryBefore: true },
        }),
  ]);
  const individuallyHidden = new Set((deletions as Row[]).map((d) => d.messageId as string));
  const cutoffByConversation = new Map(
    (loadedCutoffs as Row[]).map((row) => [row.conversationId as string, row.clearHistoryBefore as Date | null]),
  );
  const hiddenPreviews = withMessage.filter((c) => {
    if (individuallyHidden.has(c.message.id)) return true;
    const cutoff = c.clearHistoryBefore === undefined ? (cutoffByConversation.get(c.conversationId) ?? null) : c.clearHistoryBefore;
    return cutoff !== null && c.message.createdAt < cutoff;
  });
  if (hiddenPreviews.length === 0) return replacements;
  const resolved = await Promise.all(
    hiddenPreviews.map(async (candidate) => {
      // resolveVisibleLastMessage.ts:112
      const hiding = await loadPersonalHistoryHiding(prisma, userId, candidate.conversationId);
      // resolveVisibleLastMessage.ts:116
      const next = await prisma.message.findFirst({
        where: applyPersonalHistoryHiding({ conversationId: candidate.conversationId, deletedAt: null }, hiding),
        orderBy: { createdAt: 'desc' },
        ...query,
      });
      return [candidate.conversationId, next ?? null] as const;
    }),
  );
  for (const [conversationId, message] of resolved) replacements.set(conversationId, message);
  return replacements;
}

// ─── MessageReadStatusService.ts ────────────────────────────────────────────────────────

/**
 * MessageReadStatusService.ts:501–574 `getUnreadCountsForUser` ("2 + N queries"): the user's
 * participants of the page, then their read cursors beside the page's personal hiding, then one
 * `message.count` per participant (= per conversation), all sent together. The unread count is
 * counted from messages, not read from `ConversationReadCursor.unreadCount`.
 */
async function getUnreadCountsForUser(prisma: Prisma, userId: string, conversationIds: string[]): Promise<Map<string, number>> {
  if (conversationIds.length === 0) return new Map();
  const unreadCounts = new Map<string, number>();
  conversationIds.forEach((id) => unreadCounts.set(id, 0));
  // MessageReadStatusService.ts:511
  const participants = (await prisma.participant.findMany({
    where: { conversationId: { in: conversationIds }, isActive: true, OR: [{ id: userId }, { userId }] },
    select: { id: true, userId: true, conversationId: true, joinedAt: true },
  })) as Row[];
  if (participants.length === 0) return unreadCounts;
  const participantIds = participants.map((p) => p.id as string);
  const resolvedUserId: string | null = participants.find((p) => p.userId)?.userId ?? null;
  const [cursors, hidingByConversation] = await Promise.all([
    // MessageReadStatusService.ts:533
    prisma.conversationReadCursor.findMany({
      where: { participantId: { in: participantIds } },
      select: { participantId: true, lastReadAt: true, lastReadMessageCreatedAt: true },
    }),
    // MessageReadStatusService.ts:537
    loadPersonalHistoryHidingByConversation(
      prisma,
      resolvedUserId,
      participants.map((p) => p.conversationId as string),
    ),
  ]);
  const cursorMap = new Map(
    (cursors as Row[]).map((c) => [c.participantId as string, (c.lastReadMessageCreatedAt ?? c.lastReadAt) as Date | null]),
  );
  await Promise.all(
    participants.map(async (p) => {
      const floor: Date | null = cursorMap.get(p.id) ?? p.joinedAt ?? null;
      // MessageReadStatusService.ts:554
      const count = await prisma.message.count({
        where: applyPersonalHistoryHiding(
          { conversationId: p.conversationId, deletedAt: null, senderId: { not: p.id }, ...(floor ? { createdAt: { gt: floor } } : {}) },
          hidingByConversation.get(p.conversationId) ?? NO_PERSONAL_HIDING,
        ),
      });
      unreadCounts.set(p.conversationId, count);
    }),
  );
  return unreadCounts;
}

// ─── PresenceVisibilityService.resolvePrefsOnly → privacy-storage.ts ────────────────────

/** config/user-preferences-defaults.ts:224–233 `PRIVACY_KEY_MAPPING`: the legacy rows' keys. */
const LEGACY_DB_KEYS = [
  'show-online-status',
  'show-last-seen',
  'show-read-receipts',
  'show-typing-indicator',
  'allow-contact-requests',
  'allow-group-invites',
  'save-media-to-gallery',
  'allow-analytics',
];
const PRIVACY_DTO_KEYS = [
  'showOnlineStatus',
  'showLastSeen',
  'showReadReceipts',
  'showTypingIndicator',
  'allowContactRequests',
  'allowGroupInvites',
  'saveMediaToGallery',
  'allowAnalytics',
];

/**
 * PresenceVisibilityService.ts:178–191 `resolvePrefsOnly` → PrivacyPreferencesService.ts:160–193
 * `getPreferencesForUsers` → preferences/privacy-cache.ts:84–108 `loadPrivacyPreferencesCached`
 * → preferences/privacy-storage.ts:110–136 `loadStoredPrivacyPreferences`. The module cache
 * (5 min TTL, 5000 entries, privacy-cache.ts:66) is taken cold: every user of the page a miss.
 * The two reads are sequential by design (privacy-storage.ts:53–61).
 */
async function resolvePrefsOnly(prisma: Prisma, userIds: string[]): Promise<void> {
  const wanted = [...new Set(userIds)];
  if (wanted.length === 0) return;
  // preferences/privacy-storage.ts:119
  const documents = (await prisma.userPreferences.findMany({
    where: { userId: { in: wanted } },
    select: { userId: true, privacy: true },
  })) as Row[];
  // privacy-storage.ts:89–100 `fromJsonDocument`: a document counts when it carries a known boolean.
  const resolved = new Set(
    documents
      .filter((row) => {
        const p = row.privacy;
        return p && typeof p === 'object' && !Array.isArray(p) && PRIVACY_DTO_KEYS.some((k) => typeof p[k] === 'boolean');
      })
      .map((row) => row.userId as string),
  );
  const withoutDocument = wanted.filter((userId) => !resolved.has(userId));
  if (withoutDocument.length === 0) return;
  // preferences/privacy-storage.ts:132 → 149 `loadLegacyPrivacyRows`
  await prisma.userPreference.findMany({
    where: { userId: { in: [...withoutDocument] }, key: { in: LEGACY_DB_KEYS } },
    select: { userId: true, key: true, value: true },
  });
}

// ─── ConversationBridgeService.ts ───────────────────────────────────────────────────────

/** ConversationBridgeService.ts:124 */
const DEFAULT_BRIDGE_WINDOW_LIMIT = 500;

/**
 * ConversationBridgeService.ts:330–541 `buildBridgeData`: the viewer's participants of the
 * conversations with unread messages, the page's personal hiding again (core.ts passes the
 * cursors it read, not the hiding), then one window of unread messages over all of them.
 */
async function buildBridgeData(
  prisma: Prisma,
  viewerId: string,
  candidates: readonly { conversationId: string; unreadCount: number }[],
  cursorsByParticipant: ReadonlyMap<string, { lastReadAt: Date | null; lastReadMessageCreatedAt: Date | null }>,
): Promise<void> {
  const unread = candidates.filter((c) => c.unreadCount > 0);
  if (unread.length === 0) return;
  const conversationIds = [...new Set(unread.map((c) => c.conversationId))];
  const unreadCountById = new Map(unread.map((c) => [c.conversationId, c.unreadCount]));
  // ConversationBridgeService.ts:350
  const participants = (await prisma.participant.findMany({
    where: { conversationId: { in: conversationIds }, isActive: true, OR: [{ id: viewerId }, { userId: viewerId }] },
    select: { id: true, userId: true, conversationId: true, joinedAt: true },
  })) as Row[];
  if (participants.length === 0) return;
  const participantIds = participants.map((p) => p.id as string);
  const resolvedUserId: string | null = participants.find((p) => p.userId)?.userId ?? null;
  const [cursors, hidingByConversation] = await Promise.all([
    // ConversationBridgeService.ts:370: the cursors core.ts read (no query)
    Promise.resolve(
      participantIds.filter((id) => cursorsByParticipant.has(id)).map((id) => ({ participantId: id, ...cursorsByParticipant.get(id) })),
    ),
    // ConversationBridgeService.ts:382
    loadPersonalHistoryHidingByConversation(
      prisma,
      resolvedUserId,
      participants.map((p) => p.conversationId as string),
    ),
  ]);
  const cursorFloorById = new Map<string, Date | null>(
    cursors.map((c) => [c.participantId, c.lastReadMessageCreatedAt ?? c.lastReadAt ?? null]),
  );
  const participantByConversation = new Map(participants.map((p) => [p.conversationId as string, p]));
  const clauses = conversationIds
    .map((conversationId) => {
      const participant = participantByConversation.get(conversationId);
      if (!participant) return null;
      const floor = cursorFloorById.get(participant.id) ?? participant.joinedAt ?? null;
      return applyPersonalHistoryHiding(
        { conversationId, deletedAt: null, senderId: { not: participant.id }, ...(floor ? { createdAt: { gt: floor } } : {}) },
        hidingByConversation.get(conversationId) ?? NO_PERSONAL_HIDING,
      );
    })
    .filter((clause): clause is Where => clause !== null);
  if (clauses.length === 0) return;
  const totalUnread = [...participantByConversation.keys()].reduce((sum, id) => sum + (unreadCountById.get(id) ?? 0), 0);
  const take = Math.min(totalUnread, DEFAULT_BRIDGE_WINDOW_LIMIT);
  if (take <= 0) return;
  // ConversationBridgeService.ts:434
  await prisma.message.findMany({
    where: { OR: clauses },
    orderBy: { createdAt: 'asc' },
    take,
    select: {
      id: true,
      conversationId: true,
      senderId: true,
      messageType: true,
      sender: { select: { displayName: true, nickname: true, user: { select: { displayName: true } } } },
      attachments: { select: { mimeType: true } },
    },
  });
}

// ─── routes/conversations/utils/delta-tombstones.ts ─────────────────────────────────────

/** delta-tombstones.ts:45 */
const CONVERSATION_TOMBSTONE_LIMIT = 500;

/** delta-tombstones.ts:66–110 `loadConversationTombstones`: only on a delta page (`updatedSince`). */
async function loadConversationTombstones(prisma: Prisma, userId: string, since: Date): Promise<unknown> {
  const take = CONVERSATION_TOMBSTONE_LIMIT + 1;
  return Promise.all([
    // delta-tombstones.ts:76
    prisma.conversation.findMany({ where: { closedAt: { gt: since }, participants: { some: { userId } } }, select: { id: true }, take }),
    // delta-tombstones.ts:81
    prisma.participant.findMany({ where: { userId, deletedForMe: { gt: since } }, select: { conversationId: true }, take }),
    // delta-tombstones.ts:86
    prisma.participant.findMany({
      where: { userId, OR: [{ leftAt: { gt: since } }, { bannedAt: { gt: since } }] },
      select: { conversationId: true },
      take,
    }),
  ]);
}

// ─── the handler ────────────────────────────────────────────────────────────────────────

/** A query-string parameter as the handler reads it: a string, or absent. */
const query = (v: unknown): string | undefined => (v === null || v === undefined || v === '' ? undefined : String(v));

export default {
  id: 'list-conversations',
  title: 'GET /api/v1/conversations (meeshy ea1789df, Prisma 6.19)',
  source:
    'isopen-io/meeshy ea1789df services/gateway/src/routes/conversations/core.ts (GET /conversations, lines 331–1079); services/gateway/src/services/resolveVisibleLastMessage.ts, personalHistoryFilter.ts, MessageReadStatusService.ts getUnreadCountsForUser, PresenceVisibilityService.ts resolvePrefsOnly, preferences/privacy-storage.ts, ConversationBridgeService.ts buildBridgeData',
  description:
    "The conversation list at meeshy ea1789df as its handler runs for a signed-in user's first page: " +
    'the conversation.findMany with the participants relation filter (active, deletedForMe null or unset), the root visibility OR ' +
    '(non-direct, firstMessageSentAt set or unset, participants some creator = me / none creator), the filtered _count of active participants, ' +
    'nested participants (take 5) with their user, the preferences row and the last message (deletedAt null, take 1, with sender, first attachment, _count); ' +
    "then the preview-hiding check (the reader's UserMessageDeletion rows for the previews, with a follow-up read only for a hidden preview), " +
    "the participant fallback when the reader is not among a conversation's first five participants, the count beside getUnreadCountsForUser " +
    '(participants, cursors and personal hiding, then one message.count per conversation), the privacy preferences of the shown users (cache taken cold), ' +
    'and the bridge (cursors, participants, personal hiding, one window of unread messages) when a conversation has unread messages. ' +
    "limit defaults to 100, what the iOS app's full sync asks for its first page (ConversationSyncEngine.swift:338, 356) and the limit of the production figures; " +
    "the server's own default is 30 (--route-param limit=30; what Android sends, giving none), the web sends 50 (ConversationLayout.tsx:126) or 20; the server caps it at 100. " +
    "Default request: offset 0, no before, type, withUserId or updatedSince (each takes the handler's branch when given).",
  params: { limit: 100, offset: 0, before: null, includeCount: false, type: null, withUserId: null, updatedSince: null },
  users: {
    model: 'User',
    load: { relation: 'participations', where: { isActive: true, OR: [{ deletedForMe: null }, { deletedForMe: { isSet: false } }] } },
  },
  async run({ prisma, user, params, phase }) {
    const userId = user.id;
    // core.ts:372–380
    const limit = Math.min(parseInt(query(params.limit) ?? '30', 10), 100);
    const offset = parseInt(query(params.offset) ?? '0', 10);
    const includeCount = query(params.includeCount) === 'true';
    const typeFilter = query(params.type);
    const withUserId = query(params.withUserId);
    const beforeCursor = query(params.before);
    const updatedSince = query(params.updatedSince);

    // core.ts:399–411
    const whereClause: Where = {
      participants: {
        some: {
          userId: userId,
          isActive: true,
          OR: [{ deletedForMe: null }, { deletedForMe: { isSet: false } }],
        },
      },
      isActive: true,
    };
    // core.ts:414–416
    if (typeFilter) whereClause.type = typeFilter;
    // core.ts:419–434
    if (withUserId) {
      whereClause.participants = {
        every: {
          OR: [
            { userId: userId, isActive: true },
            { userId: withUserId, isActive: true },
          ],
        },
      };
      whereClause.AND = [
        { participants: { some: { userId: userId, isActive: true } } },
        { participants: { some: { userId: withUserId, isActive: true } } },
      ];
      delete whereClause.participants;
    }
    // core.ts:441–457: the empty-DM visibility rule
    whereClause.OR = [
      { type: { not: 'direct' } },
      { OR: [{ NOT: { firstMessageSentAt: null } }, { firstMessageSentAt: { isSet: false } }] },
      { participants: { some: { userId, role: 'creator' } } },
      { participants: { none: { role: 'creator' } } },
    ];

    // core.ts:460–470: the `before` cursor
    if (beforeCursor) {
      // core.ts:462
      const cursorConversation = await prisma.conversation.findFirst({
        where: { id: beforeCursor },
        select: { lastMessageAt: true },
      });
      if (cursorConversation?.lastMessageAt) whereClause.lastMessageAt = { lt: cursorConversation.lastMessageAt };
    }

    // core.ts:479–488: the delta-sync filter
    let isDeltaPage = false;
    let deltaSince: Date | null = null;
    if (updatedSince) {
      const sinceDate = new Date(updatedSince);
      if (!isNaN(sinceDate.getTime())) {
        whereClause.updatedAt = { gt: sinceDate };
        isDeltaPage = true;
        deltaSince = sinceDate;
      }
    }
    // core.ts:509–514: sent now, awaited at the end (core.ts:1045)
    const tombstonesPromise = deltaSince ? loadConversationTombstones(prisma, userId, deltaSince) : null;

    // core.ts:546–548
    const orderBy =
      isDeltaPage && !beforeCursor ? [{ updatedAt: 'asc' as const }, { id: 'asc' as const }] : { lastMessageAt: 'desc' as const };

    // core.ts:550–600 (perfTimings.conversationsQuery)
    const conversations = (await phase('conversationsQuery', () =>
      // core.ts:551
      prisma.conversation.findMany({
        where: whereClause,
        skip: beforeCursor ? 0 : offset,
        take: limit,
        select: {
          id: true,
          title: true,
          type: true,
          identifier: true,
          isActive: true,
          createdAt: true,
          updatedAt: true,
          lastMessageAt: true,
          banner: true,
          avatar: true,
          communityId: true,
          _count: { select: conversationActiveMemberCountSelect },
          isAnnouncementChannel: true,
          participants: {
            take: 5,
            where: { isActive: true },
            select: conversationListParticipantSelect,
          },
          userPreferences: {
            where: { userId: userId },
            take: 1,
            select: conversationUserPreferencesSelect,
          },
          messages: {
            where: { deletedAt: null },
            orderBy: { createdAt: 'desc' },
            take: 1,
            select: conversationLastMessagePreviewSelect,
          },
        },
        orderBy,
      }),
    )) as Row[];

    // core.ts:603
    const conversationIds = conversations.map((c) => c.id as string);

    // core.ts:611–633 (perfTimings.personalPreviewHiding, not in the CONVERSATIONS_PERF log line)
    const visibleLastMessages = await phase('personalPreviewHiding', () =>
      // core.ts:612
      resolveVisibleLastMessages(
        prisma,
        userId,
        conversations.map((c) => {
          const preview = c.messages?.[0];
          return {
            conversationId: c.id,
            message: preview ? { id: preview.id, createdAt: preview.createdAt } : null,
            clearHistoryBefore: c.userPreferences?.[0]?.clearHistoryBefore ?? null,
          };
        }),
        { select: conversationLastMessagePreviewSelect },
      ),
    );
    // core.ts:628–632
    for (const conversation of conversations) {
      if (!visibleLastMessages.has(conversation.id)) continue;
      const replacement = visibleLastMessages.get(conversation.id);
      conversation.messages = replacement ? [replacement] : [];
    }

    // core.ts:638–669: the reader's participant, from the first five or by one batched read
    const currentUserParticipantIdMap = new Map<string, string>();
    const convsMissingCurrentUser: string[] = [];
    for (const conv of conversations) {
      const found = (conv.participants as Row[]).find((p) => p.userId === userId);
      if (found) currentUserParticipantIdMap.set(conv.id, found.id);
      else convsMissingCurrentUser.push(conv.id);
    }
    if (convsMissingCurrentUser.length > 0) {
      // core.ts:659
      const remaining = (await prisma.participant.findMany({
        where: { conversationId: { in: convsMissingCurrentUser }, userId, isActive: true },
        select: { id: true, conversationId: true, role: true, joinedAt: true },
      })) as Row[];
      for (const p of remaining) currentUserParticipantIdMap.set(p.conversationId, p.id);
    }

    // core.ts:674–691 (perfTimings.parallelQueries)
    const [, unreadCountMap] = await phase('parallelQueries', () =>
      Promise.all([
        // core.ts:681–683
        !beforeCursor && (includeCount || offset === 0) ? prisma.conversation.count({ where: whereClause }) : Promise.resolve(0),
        // core.ts:686–688
        conversationIds.length > 0 ? getUnreadCountsForUser(prisma, userId, conversationIds) : Promise.resolve(new Map<string, number>()),
      ]),
    );

    // core.ts:702–707: the privacy preferences of the shown participants and last senders
    await resolvePrefsOnly(
      prisma,
      conversations
        .flatMap((conversation) => [
          ...(conversation.participants as Row[]).slice(0, 5).map((m) => m.userId),
          conversation.messages[0]?.sender?.userId,
        ])
        .filter((uid): uid is string => !!uid),
    );

    // core.ts:754–759
    const bridgeCandidates = conversations
      .map((conversation) => ({ conversationId: conversation.id as string, unreadCount: unreadCountMap.get(conversation.id) || 0 }))
      .filter((candidate) => candidate.unreadCount > 0);

    // core.ts:763–884: the bridge
    if (bridgeCandidates.length > 0) {
      const bridgeConvIds = new Set(bridgeCandidates.map((c) => c.conversationId));
      const viewerParticipantIds = [...currentUserParticipantIdMap.entries()]
        .filter(([convId]) => bridgeConvIds.has(convId))
        .map(([, pid]) => pid);
      const cursorsByParticipant = new Map<string, { lastReadAt: Date | null; lastReadMessageCreatedAt: Date | null }>();
      if (viewerParticipantIds.length > 0) {
        // core.ts:808
        const cursors = (await prisma.conversationReadCursor.findMany({
          where: { participantId: { in: viewerParticipantIds } },
          select: { participantId: true, lastReadAt: true, lastReadMessageCreatedAt: true },
        })) as Row[];
        for (const cursor of cursors)
          cursorsByParticipant.set(cursor.participantId, {
            lastReadAt: cursor.lastReadAt ?? null,
            lastReadMessageCreatedAt: cursor.lastReadMessageCreatedAt ?? null,
          });
      }
      // core.ts:867–876
      await buildBridgeData(prisma, userId, bridgeCandidates, cursorsByParticipant);
    }

    // core.ts:1045
    if (tombstonesPromise) await tombstonesPromise;
  },
} satisfies RouteDefinition;
