# a header announcing 2^62 bytes is refused at once
role client
max 1048576
> hex 82 7f 40 00 00 00 00 00 00 00
= error 1009
