# fragments that add up to more than the limit
role server
max 16
> frame more text bytes:10
> frame cont bytes:10
= error 1009
