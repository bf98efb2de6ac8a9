/* Shared limits of the Guess validator. */
#define GUESS_MAX 100
#define GUESS_TRIES 7
