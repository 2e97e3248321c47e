import { expect } from 'chai';
import { changeDueAt, checkedChangeDay } from '../../src/registry/changes.js';
import {
  TRANSITIONS,
  coordinatorDeadline,
  isOverdue,
  operatorDeadline,
} from '../../src/registry/lifecycle.js';

describe('participant lifecycle', () => {
  it('gives the coordinator one working day, skipping the weekend', () => {
    // 2026-11-20 is a Friday: the next working day is Monday the 23rd.
    expect(coordinatorDeadline(new Date('2026-11-20T10:00:00Z')).toISOString()).to.equal(
      '2026-11-23T10:00:00.000Z',
    );
    // Saturday → Monday; Tuesday → Wednesday.
    expect(coordinatorDeadline(new Date('2026-11-21T10:00:00Z')).toISOString()).to.equal(
      '2026-11-23T10:00:00.000Z',
    );
    expect(coordinatorDeadline(new Date('2026-11-24T10:00:00Z')).toISOString()).to.equal(
      '2026-11-25T10:00:00.000Z',
    );
  });

  it('gives the operator until the next day after the check', () => {
    expect(operatorDeadline(new Date('2026-11-20T10:00:00Z')).toISOString()).to.equal(
      '2026-11-21T10:00:00.000Z',
    );
  });

  it('marks waiting applications overdue only past their deadline and only while they wait', () => {
    const due = Date.parse('2026-11-23T10:00:00Z');
    const submitted = { status: 'submitted' as const, coordinator_due: due, operator_due: null };
    expect(isOverdue(submitted, new Date(due - 1))).to.equal(false);
    expect(isOverdue(submitted, new Date(due + 1))).to.equal(true);
    expect(isOverdue({ ...submitted, status: 'checked', operator_due: due }, new Date(due + 1))).to.equal(
      true,
    );
    expect(isOverdue({ ...submitted, status: 'active' }, new Date(due + 1_000_000))).to.equal(false);
  });

  it('allows each action only from its states, by its role, with a reason where one is due', () => {
    expect(TRANSITIONS.check).to.include({ role: 'coordinator', to: 'checked' });
    expect(TRANSITIONS.register.from).to.deep.equal(['checked']);
    expect(TRANSITIONS.block.reasonRequired).to.equal(true);
    expect(TRANSITIONS.activate.from).to.not.include('submitted');
  });
});

describe('changes reported within three days', () => {
  it('is due by the end of the third day after the change took effect', () => {
    const due = changeDueAt('2026-11-20');
    expect(new Date(due).toISOString()).to.equal('2026-11-24T00:00:00.000Z');
    expect(Date.parse('2026-11-23T23:59:59.999Z') > due).to.equal(false);
    expect(Date.parse('2026-11-24T00:00:00.001Z') > due).to.equal(true);
  });

  it('refuses a change that takes effect after the day it is reported', () => {
    const now = new Date('2026-11-20T10:00:00Z');
    expect(checkedChangeDay('2026-11-20', now)).to.equal('2026-11-20');
    expect(() => checkedChangeDay('2026-11-21', now)).to.throw(/changedOn/);
  });
});
