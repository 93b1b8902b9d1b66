// hello-redox: a program of your own for Redox, built by kiln (examples/packages/redox-hello)
fn main() {
    println!("hello from a crate outside the Redox tree");
}
