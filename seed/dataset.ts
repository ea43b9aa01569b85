import type { DatasetDefinition, DataProfiles, ProfileData, Scale } from '../src/workload.js';
import { seededCollections } from './collections.js';
import { checkProfile, type DataProfile } from './data-profile.js';
import { fittedScale, profileScaleName } from './fitted.js';
import { describeScales, generateDataset, generatorVersion, planDataset } from './generate.js';
import { compareProfiles } from './profile-compare.js';
import { readDataProfile } from './profile-read.js';
import {
  checkScale,
  conversationTypes,
  dataShape,
  type ScaleName,
  scaleFormat,
  scaleNames,
  type ScaleProfile,
  scaleProfiles,
} from './profiles.js';
import { averageDocumentBytes, compareScale, isScaleFile, scaledScale, type ScaleFileData } from './scale-file.js';
import { profileProbabilities } from '../src/data/quantiles.js';

/**
 * The chat application's data as the engine sees it (src/workload.ts): the built-in scales,
 * and data fitted to a profile of a real database (`--profile`).
 */

/** Run budgets per scale (seconds): the default `--budget-seconds`, and the least in which seeding fits. */
const budgets: Readonly<Record<ScaleName, { budgetSeconds: number; minimumBudgetSeconds: number }>> = {
  tiny: { budgetSeconds: 180, minimumBudgetSeconds: 15 },
  small: { budgetSeconds: 300, minimumBudgetSeconds: 30 },
  medium: { budgetSeconds: 900, minimumBudgetSeconds: 90 },
  large: { budgetSeconds: 5400, minimumBudgetSeconds: 900 },
};

const scaleOf = (profile: ScaleProfile, budget: ScaleName): Scale => ({
  name: profile.name,
  purpose: profile.purpose,
  ...budgets[budget],
  ...(budget === 'large' ? { largeCache: true } : {}),
});

/** A dataset definition over some scale profiles. */
function datasetOf(profiles: Readonly<Record<string, ScaleProfile>>, scales: Readonly<Record<string, Scale>>): DatasetDefinition {
  const profileOf = (scale: string): ScaleProfile => {
    const profile = profiles[scale];
    if (!profile) throw new Error(`unknown scale ${scale}`);
    return profile;
  };
  return {
    collections: seededCollections,
    scales,
    version: generatorVersion,
    fingerprintInput: (scale) => ({ profile: profileOf(scale), dataShape }),
    plan: (scale, seed) => planDataset(profileOf(scale), seed),
    generate: (plan, options) => generateDataset(plan as ReturnType<typeof planDataset>, options),
    describeScales,
    profiles: dataProfiles,
  };
}

/** The built-in scale whose budget a profile's dataset gets: the first that holds as many messages. */
const budgetFor = (messages: number): ScaleName => scaleNames.find((s) => messages <= scaleProfiles[s].messages * 1.5) ?? 'large';

const asProfile = (data: ProfileData): DataProfile => data as DataProfile;

/** Bytes the generators keep per entity (seed/generate.ts: the user directory, the conversation table, the memberships). */
const generatorBytesPer = { user: 120, conversation: 60, membership: 8 } as const;

/** What seeding `counts` documents costs, their bytes at `bytesPer` each (the machine-fit refusal's estimate). */
function estimateOf(counts: Readonly<Record<string, number>>, bytesPer: (collection: string) => number) {
  const count = (c: string) => counts[c] ?? 0;
  return {
    documents: Math.round(seededCollections.reduce((n, c) => n + count(c), 0)),
    dataBytes: Math.round(seededCollections.reduce((n, c) => n + count(c) * bytesPer(c), 0)),
    generatorBytes: Math.round(
      count('User') * generatorBytesPer.user +
        count('Conversation') * generatorBytesPer.conversation +
        count('ConversationMember') * generatorBytesPer.membership,
    ),
  };
}

/** A scale file's dataset at `factor`: its documents counted by planning it (2 s at `large`), their bytes as at `small`. */
function scaleFileDataset(file: ScaleFileData, factor: number): ReturnType<DataProfiles['fitted']> {
  const scale = scaledScale(file, factor);
  const estimate = estimateOf(planDataset(scale, 0).estimatedCounts, (c) => averageDocumentBytes[c] ?? 0);
  const dataset = datasetOf({ [profileScaleName]: scale }, { [profileScaleName]: scaleOf(scale, budgetFor(scale.messages)) });
  return { dataset, scale: profileScaleName, estimate };
}

const dataProfiles: DataProfiles = {
  read: readDataProfile,
  // A data profile (`indexgate profile`), or a scale file (seed/scales/*.json, or one written by hand).
  check: (content) => {
    if ((content as { format?: unknown } | null)?.format !== scaleFormat) return checkProfile(content);
    const checked = checkScale(content);
    return checked.ok ? { ok: true, profile: { format: scaleFormat, ...checked.scale } satisfies ScaleFileData } : checked;
  },
  fitted: (data, factor) => {
    if (isScaleFile(data)) return scaleFileDataset(data, factor);
    const profile = asProfile(data);
    const scale = fittedScale(profile, factor);
    const estimate = estimateOf(
      Object.fromEntries(seededCollections.map((c) => [c, profile.counts[c] * factor])),
      (c) => profile.documentBytes[c as keyof typeof profile.documentBytes].average,
    );
    const dataset = datasetOf({ [profileScaleName]: scale }, { [profileScaleName]: scaleOf(scale, budgetFor(scale.messages)) });
    return { dataset, scale: profileScaleName, estimate };
  },
  compare: (profiled, seeded, factor) =>
    isScaleFile(profiled)
      ? compareScale(scaledScale(profiled, factor), asProfile(seeded))
      : compareProfiles(asProfile(profiled), asProfile(seeded), factor),
  describe: (data) => {
    if (isScaleFile(data)) return describeScaleFile(data);
    const profile = asProfile(data);
    const q = (values: readonly number[]) => values.map((v) => Math.round(v * 10) / 10).join(' · ');
    const rows: Array<Array<string | number>> = seededCollections.map((c) => [`${c} documents`, profile.counts[c].toLocaleString('en-US')]);
    for (const t of conversationTypes) {
      const c = profile.conversations[t];
      if (c.count === 0) continue;
      rows.push([`${t}: members per conversation`, q(c.members.q)]);
      rows.push([`${t}: messages per conversation`, q(c.messages.q)]);
    }
    rows.push(['memberships per user', q(profile.users.memberships.q)]);
    rows.push(['top users (memberships)', profile.users.topMemberships.slice(0, 5).join(', ')]);
    rows.push(['deleted messages', `${(profile.messages.deletedShare * 100).toFixed(1)} %`]);
    rows.push(['messages span', `${profile.messages.spanDays} days`]);
    return { head: [`${profile.source.database}`, `quantiles at p ${profileProbabilities.join(', ')}`], rows };
  },
};

function describeScaleFile(scale: ScaleFileData): { head: string[]; rows: Array<Array<string | number>> } {
  const n = (v: number) => v.toLocaleString('en-US');
  return {
    head: [`scale file ${scale.name}`, scale.purpose],
    rows: [
      ['users', n(scale.users)],
      ...conversationTypes.map((t) => [`${t} conversations`, n(scale.conversations[t])]),
      ['messages', n(scale.messages)],
      [
        'power users (memberships)',
        `${scale.powerUsers.count} × ${n(scale.powerUsers.memberships[0])}–${n(scale.powerUsers.memberships[1])}`,
      ],
      ['group size (median, largest)', `${scale.groupSize.median}, ${n(scale.groupSize.max)}`],
      ['members of a room', `${n(scale.publicMembers[0])}–${n(scale.publicMembers[1])}`],
    ],
  };
}

export const builtInDataset: DatasetDefinition = datasetOf(
  scaleProfiles,
  Object.fromEntries(scaleNames.map((name) => [name, scaleOf(scaleProfiles[name], name)])),
);
