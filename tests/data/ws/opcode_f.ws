role client
> hex 8f 00
= error 1002
