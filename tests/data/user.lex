# A newsroom's own readings (test data). SPDX-License-Identifier: GPL-3.0-or-later
单	shan4
曾	zeng1
单田芳	shan4 tian2 fang1
曾国藩	zeng1 guo2 fan1
银行	YIN2 hang2   # upper case and a comment are accepted
长垣	chang2 yuan2
