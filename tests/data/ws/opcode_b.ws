# reserved control opcode
role server
> frame op=11 ""
= error 1002
