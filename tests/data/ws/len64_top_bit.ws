# a 64-bit length with its most significant bit set
role client
> hex 82 7f 80 00 00 00 00 00 00 01
= error 1002
