# RSV1 set without a negotiated extension (e.g. permessage-deflate)
role client
> hex c1 01 61
= error 1002
