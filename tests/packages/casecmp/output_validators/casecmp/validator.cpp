// Case Compare: the team's word must equal the answer ignoring case.
// validator input answer feedback_dir < team_output
#include <fstream>
#include <iostream>
#include <string>
#include "fold.h"

int main(int argc, char **argv)
{
	if (argc < 4)
		return 1;
	std::ifstream ans(argv[2]);
	std::string want, got, extra;
	std::string dir(argv[3]);
	ans >> want;
	if (!(std::cin >> got)) {
		std::ofstream(dir + "/judgemessage.txt") << "no output";
		std::ofstream(dir + "/teammessage.txt") << "print one word";
		return EXIT_WA;
	}
	if (std::cin >> extra) {
		std::ofstream(dir + "/judgemessage.txt") << "extra output: " << extra;
		return EXIT_WA;
	}
	if (fold(want) != fold(got)) {
		std::ofstream(dir + "/judgemessage.txt") << "expected " << want
		    << ", got " << got;
		std::ofstream(dir + "/teammessage.txt") << "wrong word";
		return EXIT_WA;
	}
	return EXIT_AC;
}
