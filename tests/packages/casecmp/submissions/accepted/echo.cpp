#include <iostream>
#include <string>
int main() { std::string s; std::cin >> s; std::cout << s << "\n"; }
