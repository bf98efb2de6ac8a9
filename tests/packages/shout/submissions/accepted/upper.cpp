#include <cctype>
#include <iostream>
int main()
{
	char c;
	while (std::cin.get(c))
		std::cout.put(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
	return 0;
}
