# a close frame without payload: no status code, reported as 1005
role client
> frame close ""
= close 1005 ""
