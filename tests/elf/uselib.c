extern int lib_value(void);
int main(void) { return lib_value(); }
