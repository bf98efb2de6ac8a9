/* @EXPECTED_RESULTS@: WRONG-ANSWER, RUN-ERROR */
int main(void) { return 0; }
