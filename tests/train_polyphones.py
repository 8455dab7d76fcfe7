#!/usr/bin/env python3
# Learns pipeline/polyphone_context.txt, the context model of polyphones (a decision list of
# character contexts), from the tuning part of CPP (four fifths of its dev split; every 5th
# sentence is held out and never read here). SPDX-License-Identifier: GPL-3.0-or-later
#
#   make BUILD=build/base POLYPHONE_CONTEXT= all build/base/run_cases
#   BUILD=build/base sh tests/bench_cpp.sh --tuning | python3 tests/train_polyphones.py \
#       > pipeline/polyphone_context.txt
#
# Input: "line TAB label TAB bobao's reading TAB sentence with the polyphone marked ▁X▁", the
# readings of a lexicon built without the model, "*" after those no word settles, "*!" after
# a common polyphone's usual reading. D rules read only the first kind; the contexts, all. A rule says: the polyphone X in this context
# reads R. Levels, most specific first: C (previous, X, next), L (two before, X), R (X, two
# after), l (previous, X), r (X, next), D (X anywhere). Each level is learned against the
# readings the less specific levels already give, from the least specific up; a rule is kept
# when it mends at least MIN_GAIN readings of the tuning part and mends at least RATIO times
# as many as it spoils; a D rule only for a reading that is at least D_SHARE of the
# character's labels where no word settles it (a common polyphone's default stays the lexicon's: 为, 差).
import sys
from collections import defaultdict

MIN_GAIN = 2
RATIO = 3
D_SHARE = 0.9  # a D rule's reading: at least this share of all the character's labels


def hanzi(c):
    o = ord(c)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF


def contexts(s, i):
    """The contexts of position i of sentence s, by level (hanzi only, as bobao sees a run)."""
    c = s[i]
    h = lambda k: 0 <= k < len(s) and hanzi(s[k])
    out = {'D': c}
    if h(i - 1):
        out['l'] = s[i - 1] + c
    if h(i + 1):
        out['r'] = c + s[i + 1]
    if h(i - 1) and h(i - 2):
        out['L'] = s[i - 2:i + 1]
    if h(i + 1) and h(i + 2):
        out['R'] = s[i:i + 3]
    if h(i - 1) and h(i + 1):
        out['C'] = s[i - 1:i + 2]
    return out


def main():
    items = []
    labels = defaultdict(lambda: defaultdict(int))  # character -> label -> count, read alone
    for line in sys.stdin:
        f = line.rstrip('\n').split('\t')
        if len(f) != 4:
            continue
        no, want, got, sent = f
        if int(no) % 5 == 0:
            sys.exit('train_polyphones: a held-out sentence in the input (line %s)' % no)
        a = sent.find('▁')
        b = sent.find('▁', a + 1)
        if a < 0 or b != a + 2:
            continue
        s = sent[:a] + sent[a + 1] + sent[b + 1:]
        alone = got.endswith('*')
        nodef = got.endswith('*!') or not alone  # a common polyphone, or in a word: no D rule
        if s[a] in '一不':
            continue
        if alone:
            labels[s[a]][want] += 1
        ctx = contexts(s, a)
        if nodef:
            del ctx['D']
        items.append([want, got.rstrip('*!'), ctx])
    rules = []
    for level in 'DrlRLC':
        gain = defaultdict(lambda: defaultdict(int))
        seen = defaultdict(list)
        for it in items:
            key = it[2].get(level)
            if key:
                seen[key].append(it)
        chosen = {}
        for key, its in seen.items():
            best = None
            for r in set(it[0] for it in its):
                if any(it[1].endswith('5') and it[1][:-1] == r[:-1] for it in its):
                    continue  # the dictionary's neutral tone stays (知识 zhi1 shi5; CPP: shi2)
                g = sum(1 for it in its if it[1] != it[0] and it[0] == r)
                loss = sum(1 for it in its if it[1] == it[0] and it[0] != r)
                if level == 'D' and labels[key][r] < D_SHARE * sum(labels[key].values()):
                    continue  # a common polyphone: its default stays the lexicon's
                if g >= MIN_GAIN and g >= RATIO * loss and (best is None or g - loss > best[1]):
                    best = (r, g - loss)
            if best:
                chosen[key] = best
        for key, (r, net) in sorted(chosen.items()):
            rules.append((level, key, r, net))
        for it in items:  # the next level learns against these readings
            key = it[2].get(level)
            if key in chosen:
                it[1] = chosen[key][0]
    right = sum(1 for it in items if it[0] == it[1])
    print('# The context model of polyphones, learned by tests/train_polyphones.py from the tuning')
    print('# part of CPP (g2pM\'s data, Apache-2.0; sentences from Chinese Wikipedia): "?LEVEL TAB')
    print('# CONTEXT TAB READING TAB NET", most specific level first at reading time (C previous,')
    print('# X, next; L two before, X; R X, two after; l previous, X; r X, next; D X anywhere).')
    print('# %d rules; the tuning part: %d/%d (%.2f%%). Generated: do not edit, retrain.'
          % (len(rules), right, len(items), 100.0 * right / max(1, len(items))))
    for level, key, r, net in rules:
        print('?%s\t%s\t%s\t%d' % (level, key, r, net))
    print('train_polyphones: %d rules, tuning part %d/%d' % (len(rules), right, len(items)),
          file=sys.stderr)


main()
