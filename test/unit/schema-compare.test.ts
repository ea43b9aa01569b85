import { describe, expect, it } from 'vitest';
import { quantilesOf } from '../../src/data/quantiles.js';
import { compareSchemaProfiles, describeSchemaProfile } from '../../src/schema-data/compare.js';
import type { FieldProfile, SchemaProfile } from '../../src/schema-data/profile.js';

const field = (overrides: Partial<FieldProfile> = {}): FieldProfile => ({ type: 'String', list: false, absent: 0, null: 0, ...overrides });

function profile(scale: {
  projects: number;
  perProject: number[];
  perAccount: number[];
  teamShare: number;
  absent: number;
}): SchemaProfile {
  return {
    format: 'indexgate-schema-profile',
    version: 1,
    source: { database: 'app', serverVersion: '7.0.15', profiledAt: '2026-01-01T00:00:00.000Z', schema: 'projects.prisma' },
    models: {
      Project: {
        collection: 'Project',
        count: scale.projects,
        averageBytes: 120,
        fields: {
          kind: field({
            values: [
              { value: 'team', share: scale.teamShare },
              { value: 'solo', share: 1 - scale.teamShare },
            ],
          }),
          budget: field({ type: 'Float', absent: scale.absent, null: 0 }),
        },
      },
      Membership: { collection: 'Membership', count: scale.perProject.reduce((a, b) => a + b, 0), averageBytes: 90, fields: {} },
    },
    relations: [
      {
        name: 'MembershipToProject',
        kind: 'one-to-many',
        child: { model: 'Membership', fields: ['projectId'] },
        parent: { model: 'Project', fields: ['id'] },
        perParent: quantilesOf(scale.perProject),
        danglingShare: 0,
        byParentField: { field: 'kind', values: { team: { parents: 2, perParent: quantilesOf(scale.perProject.slice(0, 2)) } } },
      },
      {
        name: 'AccountToProject',
        kind: 'many-to-many',
        child: { model: 'Account', fields: ['projectIds'] },
        parent: { model: 'Project', fields: ['accountIds'] },
        perParent: quantilesOf(scale.perProject),
        perChild: quantilesOf(scale.perAccount),
      },
    ],
  };
}

describe('comparing a schema profile with the profile of data seeded from it', () => {
  const profiled = profile({ projects: 1000, perProject: [0, 1, 2, 3, 10], perAccount: [1, 1, 4], teamShare: 0.4, absent: 0.25 });
  const seeded = profile({ projects: 100, perProject: [0, 1, 2, 3, 12], perAccount: [1, 1, 4], teamShare: 0.5, absent: 0 });
  const rows = compareSchemaProfiles(profiled, seeded, 0.1);
  const row = (what: string) => rows.find((r) => r.what === what);

  it('scales counts by the factor and nothing else', () => {
    expect(row('count Project')).toEqual({ what: 'count Project', profiled: 100, seeded: 100, offBy: 0 });
    expect(row('count Membership')?.profiled).toBe(2);
    expect(row('Project Membership per Project (MembershipToProject) max')).toEqual({
      what: 'Project Membership per Project (MembershipToProject) max',
      profiled: 10,
      seeded: 12,
      offBy: 0.2,
    });
    expect(row('Project Membership per Project (MembershipToProject) p50')?.profiled).toBe(2);
  });

  it('compares many-to-many from both sides and fan-outs per value of the parent field', () => {
    for (const p of ['p50', 'p90', 'p99', 'max']) {
      expect(row(`Project Account per Project (AccountToProject) ${p}`)).toBeDefined();
      expect(row(`Account Project per Account (AccountToProject) ${p}`)?.offBy).toBe(0);
      expect(row(`Project Membership per Project (MembershipToProject) where kind = team ${p}`)).toBeDefined();
    }
  });

  it('compares value shares and absent or null shares, null where only the profile has none', () => {
    expect(row('Project.kind = team share')?.offBy).toBeCloseTo(0.25, 9);
    expect(row('Project.budget absent share')).toEqual({ what: 'Project.budget absent share', profiled: 0.25, seeded: 0, offBy: 1 });
    expect(row('Project.budget null share')).toBeUndefined();
    const reversed = compareSchemaProfiles(seeded, profiled, 1);
    expect(reversed.find((r) => r.what === 'Project.budget absent share')?.offBy).toBeNull();
  });

  it('compares a model or relation the seeded side lacks with 0', () => {
    const bare: SchemaProfile = { ...seeded, models: {}, relations: [] };
    const missing = compareSchemaProfiles(profiled, bare, 1);
    expect(missing.find((r) => r.what === 'count Project')).toEqual({ what: 'count Project', profiled: 1000, seeded: 0, offBy: 1 });
    expect(missing.find((r) => r.what === 'Project Membership per Project (MembershipToProject) max')?.seeded).toBe(0);
  });
});

describe('the profile table', () => {
  it('has a row per model, per fan-out and per low-cardinality field, all as wide as the head', () => {
    const { head, rows } = describeSchemaProfile(
      profile({ projects: 3, perProject: [0, 1, 5], perAccount: [2], teamShare: 0.5, absent: 0.1 }),
    );
    for (const r of rows) expect(r).toHaveLength(head.length);
    const names = rows.map((r) => r[0]);
    expect(names).toEqual([
      'Project (Project)',
      'Membership (Membership)',
      'Membership per Project',
      '  where kind = team',
      'Account per Project',
      'Project per Account',
      'Project.kind',
    ]);
    expect(rows[0]?.[7]).toBe('absent or null: budget 10%');
    expect(rows[2]?.slice(1, 7)).toEqual([3, 2, 1, 4.2, 4.92, 5]);
  });
});
