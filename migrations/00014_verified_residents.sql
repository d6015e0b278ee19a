-- Reserved for issue 14 (verified residents, irregular-activity review, personal information): filled in by that work before it lands.
select 1;
