# RFC 6455 §5.7: 256 bytes of binary data in a single unmasked frame (16-bit length)
role client
> hex 82 7e 01 00
> data bytes:256
= binary bytes:256
