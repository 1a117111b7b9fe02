role server
> frame close ext16 bytes:126
= error 1002
