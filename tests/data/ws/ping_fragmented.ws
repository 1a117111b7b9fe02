# control frames must not be fragmented
role client
> hex 09 00
= error 1002
