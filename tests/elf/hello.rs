// a host program built by rustc: a host tool passes, the same file as a target binary fails
fn main() {
    println!("hello from the host");
}
