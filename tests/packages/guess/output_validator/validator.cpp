// Interactive validator: reads the secret from the input file, answers
// guesses on stdout, exits 42 when guessed within GUESS_TRIES, else 43.
#include <cstdio>
#include <fstream>
#include <iostream>
#include "guess.h"

int main(int argc, char **argv) {
	if (argc < 4)
		return 1;
	std::ifstream in(argv[1]);
	int secret = 0, g;
	in >> secret;
	for (int t = 0; t < GUESS_TRIES; t++) {
		if (!(std::cin >> g) || g < 1 || g > GUESS_MAX)
			return 43;
		if (g == secret) {
			std::cout << "correct" << std::endl;
			return 42;
		}
		std::cout << (g < secret ? "higher" : "lower") << std::endl;
	}
	return 43;
}
