import { mapHeaders } from './columns.js';
import { decodeText } from './readers.js';
import { parseAmount, parseDate, parsePeriod, parseStatus, parseYear, splitKeywords } from './values.js';
import iconv from 'iconv-lite';

describe('import values', () => {
  it.each([
    ['2024-04-01', '2024-04-01'],
    ['2024/4/1', '2024-04-01'],
    ['2024.04.01', '2024-04-01'],
    ['20240401', '2024-04-01'],
    ['2024年4月1日', '2024-04-01'],
    ['２０２４－０４－０１', '2024-04-01'],
  ])('reads the date %s', (raw, expected) => {
    expect(parseDate(raw)).toEqual({ ok: true, value: expected });
  });

  it('refuses impossible dates', () => {
    expect(parseDate('2023-02-29')).toEqual({ ok: false, reason: '2023-02-29 is not a date' });
    expect(parseDate('next spring')).toMatchObject({ ok: false });
  });

  it.each([
    ['2024-01-01~2025-12-31', { start: '2024-01-01', end: '2025-12-31' }],
    ['2024.01-2025.12', { start: '2024-01-01', end: '2025-12-31' }],
    ['2024/1/1至2026/2/28', { start: '2024-01-01', end: '2026-02-28' }],
    ['2024-03 ~ 2026-02', { start: '2024-03-01', end: '2026-02-28' }],
  ])('reads the period %s', (raw, expected) => {
    expect(parsePeriod(raw)).toEqual({ ok: true, value: expected });
  });

  it('reads amounts in 万元 exactly as yuan', () => {
    expect(parseAmount('800', 'wan', 'amount_wan')).toEqual({ ok: true, value: '8000000.00' });
    expect(parseAmount('12.3456', 'wan', 'amount_wan')).toEqual({ ok: true, value: '123456.00' });
    expect(parseAmount('1,234.5', 'yuan', 'x')).toEqual({ ok: true, value: '1234.50' });
    expect(parseAmount('八百', 'wan', 'amount_wan')).toMatchObject({ ok: false, reason: expect.stringMatching(/not an amount in 万元/) });
  });

  it('reads years, statuses in Chinese or English, and keyword lists', () => {
    expect(parseYear('2024年')).toEqual({ ok: true, value: 2024 });
    expect(parseYear('24')).toMatchObject({ ok: false });
    expect(parseStatus('立项')).toEqual({ ok: true, value: 'APPROVED' });
    expect(parseStatus('approved')).toEqual({ ok: true, value: 'APPROVED' });
    expect(parseStatus('完成')).toMatchObject({ ok: false, reason: expect.stringMatching(/not a project status/) });
    expect(splitKeywords('机器人，减速器；精密 传动、 ')).toEqual(['机器人', '减速器', '精密', '传动']);
  });

  it('maps Chinese and English headers, keeps unknown columns, and lets a saved mapping win', () => {
    const m = mapHeaders(['项目名称', '承担单位', '统一社会信用代码', '项目负责人', '申报年度', '资助金额（万元）', '总投资', '起止日期', '专项', '子专项', '备注', 'ID']);
    expect(Object.fromEntries(m.fields)).toEqual({
      项目名称: 'title',
      承担单位: 'orgName',
      统一社会信用代码: 'uscc',
      项目负责人: 'leader',
      申报年度: 'year',
      '资助金额（万元）': 'requestedWan',
      总投资: 'totalInvestmentWan',
      起止日期: 'period',
      专项: 'fund',
      子专项: 'subFund',
      ID: 'localId',
    });
    expect(m.extra).toEqual(['备注']);
    const saved = mapHeaders(['课题编码', '课题名称'], { 课题编码: 'localId' });
    expect(Object.fromEntries(saved.fields)).toEqual({ 课题编码: 'localId', 课题名称: 'title' });
  });

  it('decodes UTF-8 with or without BOM, and GBK as Chinese Excel saves it', () => {
    expect(decodeText(Buffer.from('项目名称', 'utf8'))).toEqual({ text: '项目名称', encoding: 'utf-8' });
    expect(decodeText(iconv.encode('项目名称,承担单位', 'gbk'))).toEqual({ text: '项目名称,承担单位', encoding: 'gb18030' });
  });
});
