/**
 * The page's save path (src/ui/state/saving.ts): the last sweep's search log is saved with its own
 * study only — a study opened or started since keeps its own log.
 */
import { describe, expect, it } from 'vitest';
import { newStudy } from '../../../src/lib/study/record';
import { localSearch } from '../../../src/lib/study/live-search';
import { resumeSearch } from '../../../src/lib/study/resume';
import type { StudyRecord } from '../../../src/lib/study/types';
import { Saving, type SavingHost } from '../../../src/ui/state/saving';
import { experimentWith } from '../study/fixtures';

/** A page with no trials shown, whose library keeps what it is given. */
function page(record: StudyRecord) {
  const saved: StudyRecord[] = [];
  const host = {
    record,
    readOnly: false,
    live: { running: false, trials: [], testScores: new Map(), syncNow: () => undefined },
    library: { save: (r: StudyRecord) => void saved.push(r), flush: async () => undefined },
    manual: { queue: [] },
  } as unknown as SavingHost;
  return { host, saved, saving: new Saving(host) };
}

describe('the save path', () => {
  const a = newStudy({ id: 'study-a', now: 0, experiment: experimentWith('random'), metric: 'valLoss' });
  const b: StudyRecord = { ...newStudy({ id: 'study-b', now: 0, experiment: experimentWith('tpe'), metric: 'valLoss' }), log: [{ k: 'wait' }] };

  it('saves the running study with its search log', () => {
    const { host, saved, saving } = page(a);
    const search = localSearch(resumeSearch(a));
    void search.next();
    saving.search = { studyId: a.id, live: search };
    saving.persistNow();
    expect(saved.at(-1)?.log).toEqual(search.log);
    expect(saved.at(-1)?.log?.length).toBe(1);
    expect(host.record?.id).toBe(a.id);
  });

  it('saves a study shown after that sweep with its own log, not the sweep\'s', () => {
    const { host, saved, saving } = page(a);
    const search = localSearch(resumeSearch(a));
    void search.next();
    saving.search = { studyId: a.id, live: search };
    host.record = b;
    saving.persistNow();
    expect(saved.at(-1)?.id).toBe(b.id);
    expect(saved.at(-1)?.log).toEqual([{ k: 'wait' }]);
  });
});
