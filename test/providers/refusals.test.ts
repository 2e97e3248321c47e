/** Business refusals of every service carry a stable machine code and a text in Russian. */
import { expect } from 'chai';
import { CardRejection, REJECTION_TEXTS } from '../../src/providers/cards/rules.js';
import { LAB_RESULTS_REFUSAL_CODES, refusal } from '../../src/providers/lab-results/refusals.js';
import type { CardsRejectionCode } from '../../src/providers/cards/rules.js';
import {
  DOCUMENTS_REFUSAL_CODES,
  refusal as documentsRefusal,
} from '../../src/providers/documents/refusals.js';
import { REFERENCE_BOOK_REFUSALS } from '../../src/providers/reference-books/index.js';

const CYRILLIC = /[А-Яа-яЁё]/;

describe('business refusals in Russian with stable codes', () => {
  it('tests service: CODE: Russian text (detail), for every code', () => {
    expect(LAB_RESULTS_REFUSAL_CODES.length).to.be.greaterThan(10);
    for (const code of LAB_RESULTS_REFUSAL_CODES) {
      const outcome = refusal(code, 'detail');
      if (outcome.kind !== 'rejected') throw new Error('not a rejection');
      expect(outcome.description.startsWith(`${code}: `), code).to.equal(true);
      expect(outcome.description, code).to.match(CYRILLIC);
      expect(outcome.description.endsWith(' (detail)'), code).to.equal(true);
    }
  });

  it('documents service: CODE: Russian text (detail), for every code', () => {
    expect(DOCUMENTS_REFUSAL_CODES.length).to.be.greaterThan(20);
    for (const code of DOCUMENTS_REFUSAL_CODES) {
      const outcome = documentsRefusal(code, 'detail');
      if (outcome.kind !== 'rejected') throw new Error('not a rejection');
      expect(outcome.description.startsWith(`${code}: `), code).to.equal(true);
      expect(outcome.description, code).to.match(CYRILLIC);
      expect(outcome.description.endsWith(' (detail)'), code).to.equal(true);
    }
  });

  it('cards service: every machine code has a Russian text, in the rejection message', () => {
    for (const [code, text] of Object.entries(REJECTION_TEXTS)) {
      expect(text, code).to.match(CYRILLIC);
      const rejection = new CardRejection(code as CardsRejectionCode, 'detail');
      expect(rejection.message).to.equal(`${code}: ${text} (detail)`);
    }
  });

  it('reference-books service: every machine code has a Russian text', () => {
    for (const [code, text] of Object.entries(REFERENCE_BOOK_REFUSALS)) expect(text, code).to.match(CYRILLIC);
  });
});
