#!/usr/bin/env python3
# Learns pipeline/polyphone_model.txt, the context model of polyphones (an averaged perceptron
# per polyphonic character over sparse context features), from the tuning part of CPP (four
# fifths of its dev split; every 5th sentence is held out and never read here). Python 3
# standard library only; under a minute. SPDX-License-Identifier: GPL-3.0-or-later
#
#   make train-polyphones
# which runs (a lexicon without the model gives the prior readings):
#   make BUILD=build/base POLYPHONE_MODEL= all build/base/run_cases
#   BUILD=build/base sh tests/bench_cpp.sh --tuning | python3 tests/train_polyphones.py \
#       > pipeline/polyphone_model.txt
#
# Input: "line TAB label TAB reading FEATURES TAB sentence with the polyphone marked ▁X▁": the
# reading of a lexicon built without the model ("*" after those no word settles, "*!" after a
# common polyphone's usual reading) and the model's features of X there, space-separated, as
# pronounce.c's model_features computes them (the one place they are defined). For X, each
# candidate reading R (those X has in the labels, and the prior: the lexicon's reading) scores
# the sum of the weights of (X, feature, R), plus for the prior a fixed bonus by kind of unit;
# the best score wins, the prior on a tie. The number of passes and the bonuses are those that
# read best in a FOLDS-fold cross-validation over the tuning part, within GRID. No reading
# undoes the dictionary's neutral tone (知识 zhi1 shi5 stays; CPP: shi2).
import sys
from collections import defaultdict

FOLDS = 4
PASSES = (4, 8, 16, 32)
# the prior's bonus by kind of unit (alone, a common polyphone alone, in a guessed word, in a
# word) and the feature count cut-off: CPP's sentences balance each character's readings, so
# its folds favour bonuses below these, which news does not bear (the case files fail:
# 这台机器重三吨 chong2, 质量很差 cha1, 相互 xiang4, 朴素 piao2)
GRID = [(ba, bp, bd, bw, 1) for ba in (0, 1, 2) for bp in (4, 6) for bd in (4, 8)
        for bw in (8, 16)]
SCALE = 10  # weights are stored as integers: the averaged weight times SCALE, rounded


def best(cands, prior, scores, bonus):
    """The winner among cands (and the prior), as pronounce.c picks it."""
    if prior.endswith('5'):
        return prior  # the dictionary's neutral tone stays (知识 zhi1 shi5; CPP: shi2)
    top, topscore = prior, scores.get(prior, 0) + bonus
    for r in cands:
        if r != prior and scores.get(r, 0) > topscore:
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


def train(items, bonus, cut, passes):
    """Averaged perceptron (bonus: the prior's, by kind of unit); yields (passes so far,
    candidates, averaged weights times SCALE) after each of the passes listed."""
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
            got = best(cands[it['ch']], it['prior'], scores, bonus[it['kind']])
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


def right(items, cands, weights, bonus):
    """How many items the model reads right, as pronounce.c reads them."""
    n = 0
    for it in items:
        got = it['prior']
        if it['ch'] in cands:
            got = best(cands[it['ch']], it['prior'], score_of(weights, it),
                       bonus[it['kind']] * SCALE)
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
        a = sent.find('▁')
        if a < 0 or sent[a + 1] in '一不':  # tone changes, not the model
            continue
        got = got.split(' ')
        # the kind of unit: named by the bias feature, a weight only for 'a' (pronounce.c's
        # model_features says why)
        kind = [x[1] for x in got[1:] if x[0] == 'b'][0] if len(got) > 1 else 'w'
        feats = [x for x in got[1:] if kind == 'a' or x[0] != 'b']
        items.append({'want': want, 'prior': got[0].rstrip('*!'), 'ch': sent[a + 1],
                      'kind': kind, 'feats': feats})
    return items


def main():
    items = read_items()
    results = defaultdict(int)  # (bonuses, cut, passes) -> right
    for ba, bp, bd, bw, cut in GRID:
        bonus = {'a': ba, 'p': bp, 'd': bd, 'w': bw}
        for k in range(FOLDS):
            tr = [it for i, it in enumerate(items) if i % FOLDS != k]
            te = [it for i, it in enumerate(items) if i % FOLDS == k]
            for p, cands, weights in train(tr, bonus, cut, PASSES):
                results[(ba, bp, bd, bw, cut, p)] += right(te, cands, weights, bonus)
    # the best; of those as good, the strongest prior, the fewest passes
    (ba, bp, bd, bw, cut, passes), cv = max(
        results.items(), key=lambda kv: (kv[1], kv[0][1], kv[0][2], kv[0][3], -kv[0][5]))
    bonus = {'a': ba, 'p': bp, 'd': bd, 'w': bw}
    cands, weights = next((c, w) for p, c, w in train(items, bonus, cut, (passes,)))
    tuned = right(items, cands, weights, bonus)
    prior = sum(it['want'] == it['prior'] for it in items)
    n = len(items)
    print('# The context model of polyphones, learned by tests/train_polyphones.py from the tuning')
    print('# part of CPP (g2pM\'s data, Apache-2.0; sentences from Chinese Wikipedia): an averaged')
    print('# perceptron per character. Lines: "?M TAB X TAB its readings"; "?W TAB X TAB FEATURE')
    print('# TAB READING:WEIGHT ..." (weights times %d); "?B TAB the prior\'s bonus alone TAB alone'
          % SCALE)
    print('# and a common polyphone TAB in a guessed word TAB in a word" (times %d). %d passes,'
          % (SCALE, passes))
    print('# bonuses %d %d %d %d, features' % (ba, bp, bd, bw))
    print('# seen at least %d times: best of %d folds, %d/%d (%.2f%%; the lexicon alone %d, %.2f%%);'
          % (cut, FOLDS, cv, n, 100.0 * cv / n, prior, 100.0 * prior / n))
    print('# the tuning part: %d/%d (%.2f%%). Generated: do not edit, retrain.'
          % (tuned, n, 100.0 * tuned / n))
    print('?B\t%d\t%d\t%d\t%d' % (ba * SCALE, bp * SCALE, bd * SCALE, bw * SCALE))
    for ch in sorted(cands):
        print('?M\t%s\t%s' % (ch, ' '.join(cands[ch])))
    for (ch, f), rs in sorted(weights.items()):
        print('?W\t%s\t%s\t%s' % (ch, f, ' '.join('%s:%d' % (r, x) for r, x in sorted(rs.items()))))
    print('train_polyphones: %d characters, %d weights; %d passes, bonuses %d %d %d %d, cut %d; '
          '%d folds: %d/%d; tuning part %d/%d (prior %d)'
          % (len(cands), len(weights), passes, ba, bp, bd, bw, cut, FOLDS, cv, n, tuned, n, prior),
          file=sys.stderr)


if __name__ == '__main__':
    main()
