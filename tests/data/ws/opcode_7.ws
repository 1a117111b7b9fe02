role client
> hex 87 00
= error 1002
