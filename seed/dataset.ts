import type { DatasetDefinition, DataProfiles, ProfileData, Scale } from '../src/workload.js';
import { seededCollections } from './collections.js';
import { checkProfile, type DataProfile } from './data-profile.js';
import { fittedScale, profileScaleName } from './fitted.js';
import { describeScales, generateDataset, generatorVersion, planDataset } from './generate.js';
import { compareProfiles } from './profile-compare.js';
import { readDataProfile } from './profile-read.js';
import { conversationTypes, dataShape, type ScaleName, scaleNames, type ScaleProfile, scaleProfiles } from './profiles.js';
import { profileProbabilities } from './quantiles.js';

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

const dataProfiles: DataProfiles = {
  read: readDataProfile,
  check: checkProfile,
  fitted: (data, factor) => {
    const profile = asProfile(data);
    const scale = fittedScale(profile, factor);
    const estimate = {
      documents: Math.round(seededCollections.reduce((n, c) => n + profile.counts[c] * factor, 0)),
      dataBytes: Math.round(seededCollections.reduce((n, c) => n + profile.counts[c] * factor * profile.documentBytes[c].average, 0)),
      generatorBytes: Math.round(
        profile.counts.User * factor * generatorBytesPer.user +
          profile.counts.Conversation * factor * generatorBytesPer.conversation +
          profile.counts.ConversationMember * factor * generatorBytesPer.membership,
      ),
    };
    const dataset = datasetOf({ [profileScaleName]: scale }, { [profileScaleName]: scaleOf(scale, budgetFor(scale.messages)) });
    return { dataset, scale: profileScaleName, estimate };
  },
  compare: (profiled, seeded, factor) => compareProfiles(asProfile(profiled), asProfile(seeded), factor),
  describe: (data) => {
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

export const builtInDataset: DatasetDefinition = datasetOf(
  scaleProfiles,
  Object.fromEntries(scaleNames.map((name) => [name, scaleOf(scaleProfiles[name], name)])),
);
