// The briefing view model's pure parts: runbook placeholders filled from the incident, and what changed between briefings.
import { describe, expect, it } from 'vitest';
import { describeChanges, stepState, type BriefingState } from '../../../src/incidents/briefing-view.js';
import { fillPlaceholders, placeholderValues } from '../../../src/incidents/step-placeholders.js';

const values = { service: 'checkout', deploy: 'd-17', change: null, incident: 'INC-4' };

describe('fillPlaceholders', () => {
  it('fills <service>, <deploy-id> and {{service}} so the command can be copy-pasted', () => {
    expect(fillPlaceholders('deployctl rollback <service> --to-before <deploy-id>', values)).toEqual({
      text: 'deployctl rollback checkout --to-before d-17',
      unknown: [],
    });
    expect(fillPlaceholders('flagctl enable <service>-vendor-fallback', values)).toEqual({
      text: 'flagctl enable checkout-vendor-fallback',
      unknown: [],
    });
    expect(fillPlaceholders('restart {{ service }} for {{incident}}', values)).toEqual({
      text: 'restart checkout for INC-4',
      unknown: [],
    });
  });

  it('keeps a placeholder with no known value and names it, once', () => {
    expect(
      fillPlaceholders('flagctl revert <change-id> && flagctl audit <change-id>', { ...values, deploy: null }),
    ).toEqual({
      text: 'flagctl revert <change-id> && flagctl audit <change-id>',
      unknown: ['<change-id>'],
    });
  });

  it('leaves angle brackets that are not placeholders alone', () => {
    expect(fillPlaceholders('curl -H "Accept: <whatever>" a < b', values)).toEqual({
      text: 'curl -H "Accept: <whatever>" a < b',
      unknown: [],
    });
  });
});

describe('stepState', () => {
  it('keeps a step done once its run is verified, credited or not, and says when the SLI did not recover', () => {
    expect(stepState([])).toBe('todo');
    expect(stepState(['approved'])).toBe('running');
    expect(stepState(['succeeded'])).toBe('done');
    // Verification moves the run from succeeded to verified (also when the SLI had recovered on its own).
    expect(stepState(['verified'])).toBe('done');
    expect(stepState(['not_recovered'])).toBe('not_recovered');
    expect(stepState(['not_recovered', 'running'])).toBe('running');
    expect(stepState(['not_recovered', 'verified'])).toBe('done');
    // A run that failed, was rejected or undone leaves the step to do.
    expect(stepState(['failed', 'rejected', 'undone'])).toBe('todo');
  });
});

describe('placeholderValues', () => {
  it('takes the deploy or change the top hypothesis blames, and the service it names', () => {
    const investigation = {
      novel: false,
      suggestedStep: null,
      hypotheses: [
        {
          category: 'bad_deploy' as const,
          service: 'tax-svc',
          cause: 'deploy-71949',
          confidence: 0.9,
          summary: 's',
          evidence: [{ kind: 'deploy' as const, ref: 'deploy-71949', detail: 'd' }],
        },
      ],
    };
    expect(placeholderValues({ service: 'portal', publicId: 'INC-1', investigation })).toEqual({
      service: 'tax-svc',
      deploy: 'deploy-71949',
      change: null,
      incident: 'INC-1',
    });
    expect(placeholderValues({ service: 'portal', publicId: 'INC-1', investigation: null })).toEqual({
      service: 'portal',
      deploy: null,
      change: null,
      incident: 'INC-1',
    });
  });
});

describe('describeChanges', () => {
  const state: BriefingState = {
    status: 'triggered',
    severity: 'sev1',
    commander: null,
    firing: 1,
    resolved: 0,
    phase: 'briefed',
    topHypothesis: null,
    suggested: null,
    remediations: [],
    evidence: [],
  };
  it('tells the thread when the severity changed', () => {
    expect(describeChanges(state, { ...state, severity: 'sev2' })).toEqual(['Severity: SEV1 → SEV2']);
  });
});
