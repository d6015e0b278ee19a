-- Reserved for issue 13, part 1 (attendance, quorum, hall network, a valid vote): filled in by that work before it lands.
select 1;
