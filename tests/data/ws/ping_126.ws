# control frames carry at most 125 bytes
role client
> hex 89 7e 00 7e
> data bytes:126
= error 1002
