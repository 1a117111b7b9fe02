# RFC 6455 §5.7: 64 KiB of binary data in a single unmasked frame (64-bit length)
role client
max 65536
> hex 82 7f 00 00 00 00 00 01 00 00
> data bytes:65536
= binary bytes:65536
