# a binary message in fragments; binary is never checked as UTF-8
role client
> frame more binary "\xff\xfe"
> frame cont "\x00\xc0"
= binary "\xff\xfe\x00\xc0"
