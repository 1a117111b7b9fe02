# a 5-byte payload announced with a 16-bit and with a 64-bit length: accepted (RFC 6455 §5.2 binds only the sender)
role client
> frame ext16 text "Hello"
> frame ext64 binary "World"
= text "Hello"
= binary "World"
