// Counts through 2^64 before answering: never in time.
use std::io::Read;
fn main() {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).unwrap();
    let v: Vec<u64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect();
    let mut n: u64 = 1;
    while n != 0 {
        n = n.wrapping_add(1);
    }
    println!("{}", v[0] + v[1]);
}
