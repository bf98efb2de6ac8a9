/* Case folding shared by the Case Compare validator. */
#ifndef FOLD_H
#define FOLD_H
#include <cctype>
#include <string>

#define EXIT_AC 42
#define EXIT_WA 43

static inline std::string fold(std::string s)
{
	for (auto &c : s)
		c = (char)std::tolower((unsigned char)c);
	return s;
}
#endif
