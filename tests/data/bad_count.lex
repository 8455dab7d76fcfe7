单田芳	shan4 tian2
