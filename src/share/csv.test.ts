import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LinScopeResult } from '../job/result';
import { type CsvResult, csvBlob, layersCsv, perTokenCsv, statesCsv, textField, valueField } from './csv';

const fixture = JSON.parse(
  readFileSync(new URL('../../tests/fixtures/results/stories260k-example.json', import.meta.url), 'utf8'),
) as LinScopeResult;

/** A small RFC 4180 reader, so the tests check what a spreadsheet would see, not our own string. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}

describe('textField()', () => {
  it('quotes fields holding quotes, commas or line breaks and doubles inner quotes', () => {
    expect(textField('plain')).toBe('plain');
    expect(textField('a,b')).toBe('"a,b"');
    expect(textField('say "hi"')).toBe('"say ""hi"""');
    expect(textField('line\nbreak')).toBe('"line\nbreak"');
    expect(textField('cr\rhere')).toBe('"cr\rhere"');
  });

  it('prefixes text that a spreadsheet would evaluate with a single quote', () => {
    expect(textField('=1+1')).toBe("'=1+1");
    expect(textField('+cmd')).toBe("'+cmd");
    expect(textField('-2')).toBe("'-2");
    expect(textField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(textField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(textField(' =not first')).toBe(' =not first');
  });
});

describe('valueField()', () => {
  it('writes numbers at full precision and never guards a negative number', () => {
    expect(valueField(-0.16005092038399238)).toBe('-0.16005092038399238');
    expect(valueField(null)).toBe('');
    expect(valueField(Number.NaN)).toBe('');
    expect(valueField(true)).toBe('true');
  });
});

describe('layersCsv(result)', () => {
  it('has one row per pair with the JSON numbers', () => {
    const rows = parseCsv(layersCsv(fixture));
    const header = rows[0];
    expect(rows).toHaveLength(1 + fixture.layers.length);
    const col = (name: string) => header.indexOf(name);
    for (const [l, layer] of fixture.layers.entries()) {
      const row = rows[l + 1];
      expect(Number(row[col('linearity')])).toBe(layer.linearity);
      expect(Number(row[col('linearity_no_residual')])).toBe(layer.linearityNoResidual);
      expect(Number(row[col('held_out_linearity_no_residual')])).toBe(layer.heldOut?.linearityNoResidual);
      expect(Number(row[col('chance_floor')])).toBe(layer.chanceFloor);
      expect(Number(row[col('flash_threshold')])).toBe(fixture.perToken?.flashThreshold[l]);
      expect(Number(row[col('flash_count')])).toBe(fixture.perToken?.flash[l].filter((f) => f === 1).length);
      expect(row[col('is_last')]).toBe(l === fixture.layers.length - 1 ? 'true' : 'false');
      expect(row[col('reason')]).toBe('');
    }
    expect(rows[1][col('held_out_source')]).toBe('reference');
  });

  it('keeps a pending pair as its indices and empty cells', () => {
    const partial: CsvResult = { tokens: [], layers: [fixture.layers[0], undefined] };
    const rows = parseCsv(layersCsv(partial));
    expect(rows[2].slice(0, 2)).toEqual(['1', '2']);
    expect(rows[2].slice(2).every((c) => c === '')).toBe(true);
    expect(rows[2]).toHaveLength(rows[0].length);
  });
});

describe('statesCsv(result)', () => {
  it('writes anisotropy per state and leaves a null intrinsic dimension empty', () => {
    const rows = parseCsv(statesCsv(fixture));
    expect(rows).toHaveLength(fixture.states.length + 1);
    expect(Number(rows[6][1])).toBe(fixture.states[5].anisotropy);
    expect(rows[6][2]).toBe('');
  });
});

describe('perTokenCsv(result)', () => {
  it('has token index, id, text, doc and one column per pair holding the JSON values', () => {
    const rows = parseCsv(perTokenCsv(fixture));
    expect(rows[0].slice(0, 9)).toEqual([
      'token_index',
      'token_id',
      'token_text',
      'doc',
      'pair_0_1',
      'pair_1_2',
      'pair_2_3',
      'pair_3_4',
      'pair_4_5',
    ]);
    expect(rows).toHaveLength(fixture.tokens.length + 1);
    const pt = fixture.perToken!;
    for (const t of [0, 1, 77, 147]) {
      expect(rows[t + 1][2]).toBe(fixture.tokens[t].text);
      for (let l = 0; l < 5; l++) {
        expect(Number(rows[t + 1][4 + l])).toBe(pt.nonlinearity[l][t]);
        expect(rows[t + 1][9 + l]).toBe(pt.flash[l][t] === 1 ? 'true' : 'false');
      }
    }
  });

  it('round-trips hostile token text through quoting and defuses formulas', () => {
    const result: CsvResult = {
      tokens: [
        { id: 1, text: 'a "quoted", text\nwith newline', doc: 0 },
        { id: 2, text: '=cmd|calc', doc: 0 },
        { id: 3, text: '-', doc: 1 },
      ],
      layers: [fixture.layers[0]],
      perToken: { ...fixture.perToken!, nonlinearity: [[1.5, null, 2]], flash: [[0, 0, 1]] },
    };
    const rows = parseCsv(perTokenCsv(result));
    expect(rows.map((r) => r[2])).toEqual([
      'token_text',
      'a "quoted", text\nwith newline',
      "'=cmd|calc",
      "'-",
    ]);
    expect(rows.map((r) => r[4])).toEqual(['pair_0_1', '1.5', '', '2']);
    expect(rows[3][3]).toBe('1');
  });

  it('writes only the token columns without a reference', () => {
    const rows = parseCsv(perTokenCsv({ ...fixture, perToken: null }));
    expect(rows[0]).toEqual(['token_index', 'token_id', 'token_text', 'doc']);
    expect(rows).toHaveLength(fixture.tokens.length + 1);
  });
});

describe('csvBlob(text)', () => {
  it('is the text in UTF-8 with no byte-order mark, so readers see the first header as written', async () => {
    const blob = csvBlob('pair,linearity\r\n"0-1",0.9\r\nÅ→,1\r\n');
    const bytes = new Uint8Array(await blob.arrayBuffer());
    expect([...bytes.subarray(0, 4)]).toEqual([...new TextEncoder().encode('pair')]);
    expect(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)).toBe(
      'pair,linearity\r\n"0-1",0.9\r\nÅ→,1\r\n',
    );
    expect(blob.type).toBe('text/csv;charset=utf-8');
  });
});
