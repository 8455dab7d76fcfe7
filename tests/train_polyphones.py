#!/usr/bin/env python3
# Learns pipeline/polyphone_model.txt, the context model of polyphones (an averaged perceptron
# per polyphonic character over sparse context features), from the tuning part of CPP (four
# fifths of its dev split; every 5th sentence is held out and never read here). Python 3
# standard library only; about two minutes. SPDX-License-Identifier: GPL-3.0-or-later
#
#   make train-polyphones
# which runs (a lexicon without the model gives the prior readings):
#   make BUILD=build/base POLYPHONE_MODEL= all build/base/run_cases
#   BUILD=build/base sh tests/bench_cpp.sh --tuning | python3 tests/train_polyphones.py \
#       > pipeline/polyphone_model.txt
#
# Input: "line TAB label TAB bobao's reading TAB sentence with the polyphone marked ▁X▁", the
# readings of a lexicon built without the model, "*" after those no word settles, "*!" after
# a common polyphone's usual reading. For the character X, each candidate reading R (those
# X has in the labels, and the prior: the lexicon's reading) scores the sum of the weights of
# (X, feature, R) over the features of its context (features() below; pronounce.c computes the
# same), plus a fixed bonus for the prior (larger inside a word); the best score wins, the
# prior on a tie. The number of passes, the bonuses and the feature count cut-off are those
# that read best in a FOLDS-fold cross-validation over the tuning part. No reading undoes the
# dictionary's neutral tone (知识 zhi1 shi5 stays; CPP: shi2).
import sys
from collections import defaultdict

FOLDS = 4
PASSES = (4, 8, 16)
GRID = [(ba, bw, cut) for ba in (0, 1, 2) for bw in (2, 4, 8) for cut in (1, 2)]
SCALE = 10  # weights are stored as integers: the averaged weight times SCALE, rounded
# Characters of transliterations (a neighbour feature shared by the contexts of names)
TRANSLIT = ('斯尔克特亚拉阿伊利德尼罗布普马卡巴维达塔纳索萨莫米奥兰里洛诺泰乌埃格吉基科'
            '莱蒂菲弗哈赫霍蒙鲁库贝佩波沃夫茨兹西希瓦缪舍谢耶约扎泽')
NUMERALS = '零〇一二三四五六七八九十百千万亿两'  # pronounce.c's is_numeral


def hanzi(c):
    """bb_is_hanzi (text.c): the characters of a hanzi run."""
    o = ord(c)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x3134F
            or 0xF900 <= o <= 0xFAFF)


def edge(c):
    """What stands beside a hanzi run: a digit, a Latin letter, the sentence's edge, a mark."""
    if c is None:
        return '^'
    o = ord(c)
    if '0' <= c <= '9' or 0xFF10 <= o <= 0xFF19:
        return '0'
    if 'a' <= c.lower() <= 'z' or 0xFF21 <= o <= 0xFF3A or 0xFF41 <= o <= 0xFF5A:
        return 'a'
    return c


def features(s, i, prior, kind):
    """The features of character i of sentence s read prior by the lexicon; kind: 'w' in a
    word, 'a' alone, 'p' alone and a common polyphone. Neighbours outside X's hanzi run: the
    first is what stands there (edge()), those further are left out."""
    def at(k):
        j = i + k
        step = 1 if k > 0 else -1
        for m in range(i + step, j + step, step):
            if not (0 <= m < len(s) and hanzi(s[m])):
                return edge(s[m] if 0 <= m < len(s) else None) if m == j else None
        return s[j]
    c = {k: at(k) for k in (-2, -1, 1, 2)}
    f = ['b', 'p' + prior, kind + prior]
    for k, name in ((-2, '2<'), (-1, '1<'), (1, '1>'), (2, '2>')):
        if c[k]:
            f.append(name + c[k])
    for a, b, name in ((-2, -1, '<<'), (-1, 1, '<>'), (1, 2, '>>')):
        if c[a] and c[b]:
            f.append(name + c[a] + c[b])
    if c[-1] and c[-1] in TRANSLIT:
        f.append('t<')
    if c[1] and c[1] in TRANSLIT:
        f.append('t>')
    if c[-1] and (c[-1] in NUMERALS or c[-1] == '0'):
        f.append('n<')
    return f


def allowed(r, prior):
    """The dictionary's neutral tone stays: no other tone of its syllable."""
    return not (prior.endswith('5') and r != prior and r[:-1] == prior[:-1])


def best(cands, prior, scores, bonus):
    """The winner among cands (and the prior), as pronounce.c picks it."""
    top, topscore = prior, scores.get(prior, 0) + bonus
    for r in cands:
        if r != prior and allowed(r, prior) and scores.get(r, 0) > topscore:
            top, topscore = r, scores[r]
    return top


def candidates(items):
    """Each character's readings in the labels, the most frequent first; only characters
    whose prior is wrong at least once (for the others the model changes nothing)."""
    count = defaultdict(lambda: defaultdict(int))
    wrong = set()
    for it in items:
        count[it['ch']][it['want']] += 1
        if it['want'] != it['prior']:
            wrong.add(it['ch'])
    return {ch: sorted(rs, key=lambda r: (-rs[r], r)) for ch, rs in count.items() if ch in wrong}


def score_of(weights, it):
    scores = defaultdict(float)
    for f in it['feats']:
        for r, w in weights.get((it['ch'], f), {}).items():
            scores[r] += w
    return scores


def train(items, bonus_alone, bonus_word, cut, passes):
    """Averaged perceptron; yields (passes so far, candidates, averaged weights) after each of
    the passes listed."""
    cands = candidates(items)
    seen = defaultdict(int)
    for it in items:
        for f in it['feats']:
            seen[(it['ch'], f)] += 1
    work = [(it, [f for f in it['feats'] if seen[(it['ch'], f)] >= cut]) for it in items
            if it['ch'] in cands]
    w = defaultdict(lambda: defaultdict(float))
    u = defaultdict(lambda: defaultdict(float))  # time-weighted updates, for the average
    t = 1
    for p in range(1, max(passes) + 1):
        for it, feats in work:
            scores = defaultdict(float)
            for f in feats:
                for r, x in w[(it['ch'], f)].items():
                    scores[r] += x
            bonus = bonus_word if it['kind'] == 'w' else bonus_alone
            got = best(cands[it['ch']], it['prior'], scores, bonus)
            if got != it['want']:
                for f in feats:
                    key = (it['ch'], f)
                    w[key][it['want']] += 1
                    w[key][got] -= 1
                    u[key][it['want']] += t
                    u[key][got] -= t
            t += 1
        if p in passes:
            avg = {}
            for key, rs in w.items():
                q = {r: round((x - u[key][r] / t) * SCALE) for r, x in rs.items()}
                q = {r: x for r, x in q.items() if x}
                if q:
                    avg[key] = q
            yield p, cands, avg


def right(items, cands, weights, bonus_alone, bonus_word):
    n = 0
    for it in items:
        got = it['prior']
        if it['ch'] in cands:
            bonus = (bonus_word if it['kind'] == 'w' else bonus_alone) * SCALE
            got = best(cands[it['ch']], it['prior'], score_of(weights, it), bonus)
        n += got == it['want']
    return n


def read_items():
    items = []
    for line in sys.stdin:
        f = line.rstrip('\n').split('\t')
        if len(f) != 4:
            continue
        no, want, got, sent = f
        if int(no) % 5 == 0:
            sys.exit('train_polyphones: a held-out sentence in the input (line %s)' % no)
        sent = sent.replace('[', '（').replace(']', '）')  # as bench_cpp.sh gives it to bobao
        a = sent.find('▁')
        b = sent.find('▁', a + 1)
        if a < 0 or b != a + 2:
            continue
        s = sent[:a] + sent[a + 1] + sent[b + 1:]
        if s[a] in '一不':  # tone changes, not the model
            continue
        kind = 'p' if got.endswith('*!') else 'a' if got.endswith('*') else 'w'
        prior = got.rstrip('*!')
        items.append({'want': want, 'prior': prior, 'ch': s[a], 'kind': kind,
                      'feats': features(s, a, prior, kind)})
    return items


def main():
    items = read_items()
    results = defaultdict(int)  # (bonus alone, bonus word, cut, passes) -> right
    for ba, bw, cut in GRID:
        for k in range(FOLDS):
            tr = [it for i, it in enumerate(items) if i % FOLDS != k]
            te = [it for i, it in enumerate(items) if i % FOLDS == k]
            for p, cands, weights in train(tr, ba, bw, cut, PASSES):
                results[(ba, bw, cut, p)] += right(te, cands, weights, ba, bw)
    (ba, bw, cut, passes), cv = max(results.items(), key=lambda kv: (kv[1], -kv[0][3]))
    cands, weights = next((c, w) for p, c, w in train(items, ba, bw, cut, (passes,)))
    tuned = right(items, cands, weights, ba, bw)
    prior = sum(it['want'] == it['prior'] for it in items)
    n = len(items)
    print('# The context model of polyphones, learned by tests/train_polyphones.py from the tuning')
    print('# part of CPP (g2pM\'s data, Apache-2.0; sentences from Chinese Wikipedia): an averaged')
    print('# perceptron per character. Lines: "?M TAB X TAB its readings"; "?W TAB X TAB FEATURE')
    print('# TAB READING:WEIGHT ..." (weights times %d); "?B TAB bonus of the prior alone TAB in a' % SCALE)
    print('# word"; "?T TAB the transliteration characters". %d passes, bonuses %d and %d, features'
          % (passes, ba, bw))
    print('# seen at least %d times: best of %d folds, %d/%d (%.2f%%; the lexicon alone %d, %.2f%%);'
          % (cut, FOLDS, cv, n, 100.0 * cv / n, prior, 100.0 * prior / n))
    print('# the tuning part: %d/%d (%.2f%%). Generated: do not edit, retrain.'
          % (tuned, n, 100.0 * tuned / n))
    print('?B\t%d\t%d' % (ba * SCALE, bw * SCALE))
    print('?T\t%s' % TRANSLIT)
    for ch in sorted(cands):
        print('?M\t%s\t%s' % (ch, ' '.join(cands[ch])))
    for (ch, f), rs in sorted(weights.items()):
        print('?W\t%s\t%s\t%s' % (ch, f, ' '.join('%s:%d' % (r, x) for r, x in sorted(rs.items()))))
    print('train_polyphones: %d characters, %d weights; %d passes, bonuses %d %d, cut %d; %d folds: '
          '%d/%d; tuning part %d/%d (prior %d)' % (len(cands), len(weights), passes, ba, bw, cut,
                                                   FOLDS, cv, n, tuned, n, prior), file=sys.stderr)


main()
