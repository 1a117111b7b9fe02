role client
> hex a1 01 61
= error 1002
