mod msg;
fn main() {
    println!("{}", msg::TEXT);
}
