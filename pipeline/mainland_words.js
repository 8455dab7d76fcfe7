// Dumps pinyin-pro's mainland word readings (@pinyin-pro/data, ISC) for lexicon_build, as
// "=word TAB reading" lines with tone digits (一下 yi2 xia4; neutral tone 5, ü as v).
//   node pipeline/mainland_words.js DATA_DIR modern|complete > OUT
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';
const path = require('path');
const [dataDir, which] = process.argv.slice(2);
const table = require(path.resolve(dataDir, 'json', which + '.json'));
const TONES = { '\u0304': 1, '\u0301': 2, '\u030c': 3, '\u0300': 4 };

// "lǘ" -> "lv2", "er" -> "er5"; null when it holds anything but pinyin letters
function toneDigits(syl) {
	let tone = 5, letters = '';
	for (const c of syl.normalize('NFD').toLowerCase()) {
		if (TONES[c]) tone = TONES[c];
		else if (c === '\u0308' && letters.endsWith('u')) letters = letters.slice(0, -1) + 'v';
		else if (c >= 'a' && c <= 'z') letters += c;
		else return null;
	}
	return letters ? letters + tone : null;
}

const out = [];
for (const [word, entry] of Object.entries(table)) {
	const chars = [...word];
	const syls = String(entry[0]).trim().split(/\s+/).map(toneDigits);
	// words of two characters or more, all hanzi, a syllable each (no letters or digits)
	if (chars.length < 2 || chars.length > 16 || !/^\p{Script=Han}+$/u.test(word) ||
	    syls.length !== chars.length || syls.includes(null))
		continue;
	out.push('=' + word + '\t' + syls.join(' '));
}
process.stdout.write(out.join('\n') + '\n');
