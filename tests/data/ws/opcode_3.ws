# reserved data opcode
role client
> hex 83 00
= error 1002
