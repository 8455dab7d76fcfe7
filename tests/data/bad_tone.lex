曾	zeng
