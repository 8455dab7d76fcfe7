曾 zeng1
