/* a build-machine path baked into the binary (F28): __FILE__ is the absolute source path
 * when the compiler is given one, and the literal is the classic /home leak */
const char *where = __FILE__;
const char *home = "/home/builder/redox/target/release/build.log";
int main(void) { return where[0] + home[0]; }
