// The neutral-tone reference of make audit-readings: pinyin-pro's reading of every word of
// the given word lists (first field of each line, hanzi only), "word TAB reading" with tone
// digits, 5 for its neutral tone, and "*" after each syllable of a longer word that pinyin-pro
// read as a character alone (no word of its dictionary covers it: no evidence for the word).
// SPDX-License-Identifier: GPL-3.0-or-later
//   node tests/neutral_reference.js PINYIN_PRO_DIR OUT WORDLIST...
'use strict';
const fs = require('fs');
const { pinyin, segment } = require(require('path').resolve(process.argv[2]));
const out = process.argv[3], seen = new Set(), lines = [];
for (const list of process.argv.slice(4))
	for (const line of fs.readFileSync(list, 'utf8').split('\n')) {
		const word = line.split(/[\t ]/)[0];
		if (!/^\p{Script=Han}+$/u.test(word) || seen.has(word))
			continue;
		seen.add(word);
		const syllables = pinyin(word, { toneType: 'num', type: 'array', v: true });
		const alone = [], long = [...word].length > 1;
		for (const part of segment(word)) {
			const chars = [...part.origin];
			for (let i = 0; i < chars.length; i++)
				alone.push(long && chars.length === 1 ? '*' : '');
		}
		if (alone.length !== syllables.length)
			continue;
		lines.push(word + '\t' + syllables.map((s, i) => s.replace(/0$/, '5') + alone[i]).join(' '));
	}
fs.writeFileSync(out + '.tmp', lines.join('\n') + '\n');
fs.renameSync(out + '.tmp', out);
