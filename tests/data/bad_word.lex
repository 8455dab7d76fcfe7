# ok
曾	zeng1
zeng	zeng1
