"""Vocabulary for the generated sample feedback (see ``feedback.py``).

Customers do not write in the phrases of the journey map, so each step gets extra paraphrases
(negative and positive) on top of its example phrases in ``organization.py``, a few ticket
subjects, and the generator wraps them in openers, customer context, closers and the style of
each source. Templates may hold slots such as ``{days}`` or ``{price}``; ``feedback.fill``
replaces them with plausible values.

All names, e-mail addresses (example.com/.org/.net), phone numbers (Ofcom's drama ranges) and
card numbers (public test cards) are invented or reserved for fiction and testing.
"""

from __future__ import annotations

# ---------------------------------------------------------------- the stories

LOGIN_STEP = "Log in to the app"
OUTAGE_STEP = "Hear about an outage"
FIRST_BILL_STEP = "Receive the first bill"
QUERY_CHARGE_STEP = "Query a charge on my bill"
CALL_STEPS = ("Call the helpline", "Talk to an agent")

# Customer Care's contact steps where agents work to an average-handle-time target. As the
# target tightens over the year, calls get shorter and effort at these steps gets worse:
# customers are hurried off the line and have to call back. Per step, so they route there.
AHT_STEPS = ("Call the helpline", "Talk to an agent", "Query a charge on my bill", "Ask for help paying",
             "Book an engineer visit", "Make a complaint", "Move my service to a new home")
RUSHED = {
    "Call the helpline": (
        "had to ring back {times} times because the first call didn't actually fix anything",
        "every call ends in a rush and I end up phoning again the next day",
        "called the helpline again because they hurried me off last time and nothing changed",
        "third call this week, each one shorter and none of them solved it",
    ),
    "Talk to an agent": (
        "the agent rushed me off the phone and the problem was back the next day",
        "felt like the agent was watching the clock, she couldn't wait to end the call",
        "the advisor wrapped the call up before my problem was sorted",
        "the agent kept trying to finish the call and I had to call back to get it fixed",
        "the call was quick but I had to explain it all again to someone else the day after",
    ),
    "Query a charge on my bill": (
        "the agent rushed through my bill query and I had to call again about the same charge",
        "they ended the call saying the charge would be looked at, then I had to chase it myself",
        "quick call about my bill but the question wasn't answered, so I rang back twice",
    ),
    "Ask for help paying": (
        "the call about my payment plan was hurried and I had to ring back to finish it",
        "felt rushed explaining my money problems, the adviser wanted me off the line",
    ),
    "Book an engineer visit": (
        "the agent rushed the repair booking and got the date wrong, so I had to call back",
        "booked the engineer in a hurry on the phone and nobody turned up, had to rebook",
    ),
    "Make a complaint": (
        "my complaint was closed after a two-minute call and nothing was done, so I complained again",
        "the complaints team rushed me through it and I had to ring back to make them log it properly",
    ),
    "Move my service to a new home": (
        "the call to move my broadband was rushed, they got the moving date wrong and I had to call back",
        "they hurried through my home move on the phone and forgot the TV, so I had to ring again",
    ),
}

# Before IT's fix: login failures of every kind.
LOGIN_BROKEN = (
    "reset my password {times} times and the app still says it's incorrect",
    "the app keeps asking for a verification code that never arrives",
    "Face ID stopped working and now it won't take my password either",
    "error 403 every single time I try to sign in",
    "the login screen just spins and then kicks me back to the start",
    "I can't get into the app to check my usage, it says session expired",
    "every time I log in it asks me to verify my e-mail again",
    "the one-time passcode text arrives after the code has already expired",
    "I've been locked out of my account for {days} days now",
    "the app says 'something went wrong' as soon as I enter my password",
    "it logged me out mid-payment and now I can't get back in",
    "tried to log in on my phone and my tablet, same error on both",
    "I can log in on the website but not in the app",
    "the password reset link says it has expired before I've even clicked it",
)
# After the fix: the new sign-in works; the odd leftover complaint remains.
LOGIN_FIXED = (
    "logging in is so much quicker since the last update",
    "the new one-tap sign-in just works, finally",
    "the app remembers me now, no more typing my password every time",
    "password reset e-mail arrived within seconds this time",
    "fingerprint login works first time now, whoever fixed it, thank you",
    "used to dread logging in to the app, now it's instant",
    "the verification code came straight away and I was in",
    "login problems seem to be sorted, took two seconds",
)
LOGIN_CALLS = (
    "had to ring up because I couldn't log in to the app to check my bill",
    "called because the app login kept failing and there's no other way to see my account",
    "the agent had to reset my app password for me over the phone",
    "phoned about the app not letting me sign in, waited {mins} minutes to be told to reinstall it",
    "rang the helpline purely because the app wouldn't accept my password",
    "spent {mins} minutes on the phone just to get back into the app",
    "the agent said loads of people are calling about the app login",
    "I only called because I was locked out of the app again",
)

# Sales over-promising, discovered on the first bill. {who} and {where} follow the sales channel.
SALES_WHO = {
    "store": ("the guy in the shop", "the lad in your {town} store", "the lady in the store",
              "the salesman in the shop", "the store assistant", "your advisor in the {town} shop"),
    "phone": ("the man on the sales line", "the woman I spoke to on the phone", "your sales advisor on the phone",
              "the telesales guy", "the person who called me to sell the upgrade"),
    "web": ("your website", "the online checkout", "the offer page"),
    "app": ("the app", "the offer in the app"),
}
OVERPROMISE_BILL = (
    "{who} said it would be £{price} a month and my first bill is £{price2}",
    "I was promised no setup fee and there it is on my first bill, £{fee}",
    "{who} told me the router was free, now I'm charged £{fee} for it",
    "{who} promised the discount starts straight away but the first bill is full price",
    "{who} swore there'd be no installation charge. First bill: £{fee} installation",
    "first bill is £{price2}, nothing like the £{price} {who} quoted me",
    "{who} said the first month was free, yet here's a bill for the full month",
    "I was told by {who} that the price was fixed for {months} months, the bill already shows a higher rate",
    "{who} never mentioned an activation fee, it's on the bill as £{fee}",
    "{who} promised the TV add-on was included, I'm being charged £{fee} extra for it",
    "my first bill doesn't match anything {who} said when I signed up",
    "{who} assured me I'd pay £{price} all in. The first bill says £{price2}",
)
OVERPROMISE_QUERY = (
    "rang to query the £{fee} setup fee {who} promised I wouldn't pay, they said there's no note of it",
    "disputed the charge because {who} said it was free, was told sales promises aren't binding",
    "asked why I'm paying £{price2} not £{price}, the agent said {who} shouldn't have said that",
    "queried the router charge, {who} told me it was included, still waiting for a credit",
    "nobody in billing can see what {who} promised me, so I'm stuck paying £{fee}",
    "the agent admitted {who} quoted me the wrong price but could only credit half",
    "I've queried this bill twice: {who} promised no setup fee and I'm still charged",
)

# Outage weeks: bursts of unclear communication.
OUTAGE_BURST = (
    "no idea when it will be fixed, nobody tells us anything",
    "the status page said everything was fine while the whole of {town} was down",
    "{hours} hours without internet and not a single text from you",
    "your outage page still says no known issues in {town}",
    "the estimated fix time keeps moving, first {time}, now later",
    "found out about the outage from the neighbours' Facebook group, not from you",
    "the outage text just said 'we're aware' — aware of what, and when will it be back?",
    "the app banner says service is normal but nothing works",
    "got a text saying it was fixed at {time}, it wasn't",
    "had to call to find out there was an outage, the status checker showed green",
    "why is there no update on the outage since this morning",
    "three different fix times in one day, which one is true",
    "business lost a full day of card payments and your status page said all services normal",
    "no estimated time, no explanation, just 'engineers are working on it'",
)

# Noise: comments that belong to no step (true_step None).
NOISE = (
    "test", "n/a", "no comment", "nothing to add", "ok", "asdf", "...", "na", "-",
    "wrong company sorry", "can you recommend a good TV series", "happy new year everyone",
    "WIN A FREE IPHONE click the link in my bio", "this survey is about the wrong account",
    "my cat walked on the keyboard", "hello?", "good", "meh", "whatever",
    "I don't remember contacting you", "please stop sending surveys", "who is this",
    "all fine I guess", "no idea what this is about", "just testing the form",
    "follow for follow", "lol", "is this a bot", "great weather today",
)

# ---------------------------------------------------------------- per-step banks

# Step name -> (extra negative phrases, extra positive phrases, ticket subjects).
STEP_TEXT: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # Join & get connected
    "See an ad or offer": (
        ("the advert promised {speed} Mb and I get a third of that", "your ads are everywhere but the deal "
         "isn't available at my address", "the offer in the ad disappeared when I clicked on it",
         "'no price rises' in the advert, then a price rise in April", "misleading ad, the price doubles after "
         "{months} months"),
        ("the ad was clear about what I'd pay", "liked the new campaign, made me check my options",
         "the leaflet had exactly the deal I wanted"),
        ("Misleading advert", "Question about your offer", "Advertised speed"),
    ),
    "Compare plans and bundles": (
        ("I spent an hour comparing plans and still don't know which one I need", "the plan names mean "
         "nothing to a normal person", "couldn't see what the bundle costs after the discount ends",
         "the comparison page doesn't say which plans have a contract", "no way to compare mobile data "
         "allowances side by side"),
        ("the plan comparison made it easy to pick", "the bundle page showed the total price clearly"),
        ("Which plan is right for me", "Bundle pricing unclear", "Plan comparison"),
    ),
    "Check availability at my address": (
        ("the availability checker can't find my postcode", "the checker keeps timing out on my address",
         "your checker says I can get {speed} Mb, the order page says otherwise", "my building is missing "
         "from the address list", "the checker told me to call, the phone line told me to use the checker"),
        ("the address checker was quick and accurate", "checker found my flat straight away"),
        ("Address not found", "Availability checker error", "Service availability"),
    ),
    "Address and coverage database": (
        ("your records have my street spelled wrong and it breaks everything", "the coverage map is years "
         "out of date for {town}", "new-build, moved in {months} months ago, your system still doesn't "
         "know the address", "coverage map says full 5G, I get one bar in the kitchen"),
        ("they updated my address record quickly once I reported it",),
        ("Address missing from your system", "Coverage map incorrect"),
    ),
    "Talk to a sales advisor": (
        ("the advisor had no idea about the broadband plans", "the salesperson talked over me the whole time",
         "the sales advisor couldn't answer a simple question about contract length", "felt pressured into "
         "signing on the spot", "the sales line put me on hold {times} times"),
        ("the advisor explained every plan without any pressure", "the salesperson found me a cheaper deal "
         "than I expected", "great advice in the {town} store, really patient"),
        ("Sales advisor complaint", "Advice from your store", "Sales call"),
    ),
    "Set prices and promotions": (
        ("the promotion changed twice while I was ordering", "the price went up £{fee} mid-contract",
         "the launch discount vanished the day I went to order", "the same deal is cheaper in your shop "
         "than online"),
        ("the promotion was exactly as advertised",),
        ("Price change", "Promotion ended early"),
    ),
    "Place the order": (
        ("the payment page timed out and I don't know if my order went through", "ordering online took "
         "{mins} minutes because the form kept resetting", "got an error at the last step of the order",
         "the order wouldn't accept my date of birth", "ordered in the store and they entered my address wrong"),
        ("ordering online took five minutes, really smooth", "the store sorted the whole order for me quickly"),
        ("Problem placing order", "Order error at checkout", "Duplicate order confirmation"),
    ),
    "Check credit and identity": (
        ("my order has been stuck in 'checks' for {days} days", "no one will tell me why my credit check "
         "failed", "had to send my driving licence {times} times", "the ID check rejected my perfectly "
         "valid passport photo"),
        ("the ID check was quick and painless",),
        ("Order on hold", "Identity verification failed", "Credit check"),
    ),
    "Sign the contract summary": (
        ("nobody explained the contract terms before I signed", "the contract summary e-mail never came",
         "the contract length is different from what I agreed", "the cooling-off period is buried on page 14"),
        ("the contract summary was short and clear",),
        ("Contract summary not received", "Contract length wrong"),
    ),
    "Order management system": (
        ("my order reference doesn't exist according to your chat", "the order tracker hasn't moved in "
         "{days} days", "my order shows cancelled but I never cancelled it", "every agent sees a different "
         "status for my order"),
        ("the order tracker kept me updated at every step",),
        ("Order status", "Order missing", "Order reference not found"),
    ),
    "Book an installation slot": (
        ("the first installation slot was {days} days away", "no evening or weekend slots at all",
         "the booking page wouldn't let me pick a date", "my installation was moved without anyone asking me",
         "an all-day slot means another day off work"),
        ("got an installation slot for the same week", "booking the engineer online was really easy"),
        ("Installation appointment", "Reschedule installation", "Installation slot moved"),
    ),
    "Ship the router and SIM cards": (
        ("the courier says delivered but nothing arrived", "the router still hasn't shipped after {days} days",
         "the parcel went to the wrong address", "the SIM cards came but not the router", "the courier left "
         "the router on the doorstep in the rain"),
        ("the router arrived the next day", "delivery was quick and tracked all the way"),
        ("Router not delivered", "Missing parcel", "Delivery problem"),
    ),
    "Unbox the router and SIM": (
        ("the instructions don't match the router I got", "no ethernet cable in the box", "the SIM in the box "
         "was for the wrong network", "the set-up guide was just a QR code that didn't work"),
        ("unboxing and set-up took ten minutes, dead easy", "the quick-start card was really clear"),
        ("Missing items in box", "Set-up instructions"),
    ),
    "Wait for the connection date": (
        ("it's been {days} days since I ordered and I have no idea what's happening", "nobody has been in "
         "touch since the order", "I had to call to find out my go-live date had changed", "radio silence "
         "since the order confirmation"),
        ("regular updates while I waited, appreciated",),
        ("No update on my connection", "When will I be connected", "Connection delayed"),
    ),
    "Technician installation visit": (
        ("the engineer turned up {hours} hours late", "the engineer left without finishing the job",
         "the installer put the router in the worst place in the house", "engineer was rude and in a rush",
         "waited in all day and the engineer never showed"),
        ("the engineer was on time, tidy and friendly", "the installer took time to set up all our devices",
         "brilliant engineer, explained everything"),
        ("Engineer did not attend", "Installation complaint", "Installation feedback"),
    ),
    "Activate the line and port the number": (
        ("{days} days after installation the line still isn't live", "my number didn't transfer and now "
         "nobody can call me", "the router shows a red light since the engineer left", "lost my landline "
         "number in the switch"),
        ("the line was live the minute the engineer finished", "my number moved across without a hitch"),
        ("Line not active", "Number transfer failed", "No service after installation"),
    ),
    "Set up Wi-Fi and devices": (
        ("the Wi-Fi signal dies at the top of the stairs", "the printer won't connect to the new router",
         "the games console keeps dropping off the Wi-Fi", "the router's default password is impossible to type"),
        ("the Wi-Fi covers the whole house now", "the booster fixed the dead spot in the garden office"),
        ("Wi-Fi coverage", "Devices not connecting", "Booster missing"),
    ),
    "Download the app and register": (
        ("the app registration keeps failing at the last step", "registration asked for a code from a "
         "letter I never received", "the app won't let me register with my business account",
         "stuck on 'creating your account' for {mins} minutes"),
        ("registering in the app took a minute", "the app sign-up was simple"),
        ("Cannot register in the app", "App registration"),
    ),
    "Receive the welcome message": (
        ("the welcome e-mail had the wrong name on it", "the welcome text arrived {days} days after I "
         "was connected", "the welcome message was just adverts"),
        ("the welcome e-mail told me exactly what would happen next", "nice welcome text with the app link",
         "welcome pack was clear and friendly"),
        ("Welcome e-mail", "Welcome pack"),
    ),
    # Get help & fix a problem
    "Notice the service is down or slow": (
        ("the broadband has dropped out {times} times today", "speeds fall to nothing every evening",
         "no mobile data anywhere in {town} since this morning", "can't make a single video call without "
         "it freezing", "the connection is down again and I have clients waiting"),
        ("the connection has been rock solid for months",),
        ("Broadband keeps dropping", "Slow speeds", "No service"),
    ),
    "Detect incidents on the network": (
        ("you must have seen the whole area go down, why is nobody saying anything", "there's a fault "
         "somewhere near {town}, every neighbour is affected", "the same drop at {time} every night, surely "
         "you can see it"),
        ("they spotted the fault before I even reported it",),
        ("Area fault", "Recurring outage"),
    ),
    "Hear about an outage": (
        ("the outage text came after the service was already back", "the outage message was vague",
         "the status page didn't mention my area"),
        ("got a text about the outage with a fix time and it was right", "the in-app banner explained "
         "the outage clearly", "appreciated the update texts during the outage"),
        ("Outage communication", "No information about outage", "Status page wrong"),
    ),
    "Log in to the app": (
        ("can't sign in to the app at all", "the app forgets my login every day"),
        ("logging in was easy",),
        ("Cannot log in to the app", "App login problem", "Password reset not working"),
    ),
    "Search the help centre": (
        ("the help centre search returns nothing useful", "every help article ends with 'contact us' and "
         "no way to contact you", "the help pages are out of date", "the help article for my router model "
         "is missing"),
        ("found the answer in the help centre in two minutes", "the step-by-step guide sorted it"),
        ("Help centre", "Cannot find help article"),
    ),
    "Run a line test in the app": (
        ("the line test failed with no explanation", "the app test says no fault, the engineer found one",
         "the line test takes {mins} minutes and then errors", "the test result just says 'code 17'"),
        ("the line test found the problem and booked a fix", "the in-app test was quick and clear"),
        ("Line test", "Line test error"),
    ),
    "Chat with the virtual assistant": (
        ("the bot kept offering me the same three articles", "typed 'agent' ten times, still the bot",
         "the chatbot closed the chat while I was typing", "the virtual assistant is useless for anything "
         "that isn't a password"),
        ("the chatbot actually answered my question", "the assistant handed me to a person quickly"),
        ("Chatbot", "Live chat"),
    ),
    "Call the helpline": (
        ("on hold for {mins} minutes and then cut off", "the queue message says calls are busy every time "
         "I ring", "nobody picks up the phone after {time}", "called {times} times this week about the same "
         "thing", "the hold music is driving me mad"),
        ("got through in under two minutes", "answered quickly, no queue at all"),
        ("Helpline waiting times", "Cannot get through by phone", "Phone support"),
    ),
    "Phone menu and call routing": (
        ("the phone menu sent me round in circles", "had to enter my account number three times",
         "pressed every option and ended up in sales again", "the voice recognition never understands me"),
        ("the new phone menu got me to the right team straight away",),
        ("Phone menu", "Call transferred wrongly"),
    ),
    "Talk to an agent": (
        ("the agent had no idea what I was talking about", "I was passed around {times} departments",
         "the agent hung up on me", "had to repeat my account details to every person", "the agent said "
         "she'd call back and never did"),
        ("the agent was patient and fixed it on the first call", "{name} on the helpline was brilliant",
         "the agent went above and beyond", "the advisor listened and sorted everything"),
        ("Complaint about agent", "Call with your advisor", "Unresolved call"),
    ),
    "Get help in a store": (
        ("the store sent me away and told me to ring the helpline", "staff in the {town} shop couldn't "
         "help with my account", "queued {mins} minutes in the store for nothing"),
        ("the staff in the {town} store sorted my phone in ten minutes", "store staff were helpful and "
         "friendly"),
        ("Store visit", "In-store help"),
    ),
    "Agent desktop and customer record": (
        ("the agent couldn't see my previous calls", "your system lost my complaint notes", "the agent "
         "said the system was down and to call back", "they had my old address on file after {times} updates"),
        ("the agent could see my whole history, no need to repeat myself",),
        ("Account notes missing", "Agent system problem"),
    ),
    "Diagnose and fix remotely": (
        ("the remote fix lasted a day", "they said they'd fix it remotely and nothing happened",
         "the line reset made it worse"),
        ("fixed remotely within an hour", "the remote reset cured the drop-outs", "they found the fault "
         "remotely and fixed it while I was on the phone"),
        ("Remote fault fix", "Fault not fixed"),
    ),
    "Book an engineer visit": (
        ("earliest repair appointment is {days} days away", "no way to pick a morning or afternoon slot",
         "they cancelled my repair appointment by text the night before", "had to book a day off for a repair"),
        ("got a repair visit for the next morning", "booking the engineer was easy"),
        ("Repair appointment", "Engineer booking"),
    ),
    "Engineer repair visit": (
        ("the engineer turned up, looked and left without fixing it", "second repair visit and the fault "
         "is still there", "engineer blamed my wiring and charged me £{fee}", "repair engineer was {hours} "
         "hours late"),
        ("the engineer found the fault in the street and fixed it", "brilliant repair engineer, fixed in "
         "half an hour", "the engineer explained what went wrong and tested everything"),
        ("Repair visit", "Engineer complaint", "Fault still not fixed"),
    ),
    "Send a replacement router": (
        ("still waiting for the replacement router after {days} days", "the replacement router was "
         "second-hand and scratched", "they sent the replacement to my old address"),
        ("replacement router arrived the next morning", "new router came quickly and works perfectly"),
        ("Replacement router", "Router not received"),
    ),
    "Fault tickets and field scheduling": (
        ("my fault ticket was closed without anyone contacting me", "nobody can find my fault reference",
         "the engineer was sent to the wrong job", "the system says the fault is fixed, it isn't"),
        ("the fault reference made it easy to follow up",),
        ("Fault reference", "Ticket closed wrongly"),
    ),
    "Get told it's fixed": (
        ("the fixed message came while it was still down", "nobody told me the fault was cleared, "
         "I found out myself", "the resolution text was sent to my old number"),
        ("got a text as soon as it was fixed, perfect", "nice follow-up call to check it was all working"),
        ("Fault resolved message", "Confirmation of fix"),
    ),
    "Rate the help I got": (
        ("the survey came before anything was fixed", "your survey is longer than the call", "I get a "
         "survey after every single contact"),
        ("short survey, happy to fill it in",),
        ("Survey", "Too many surveys"),
    ),
    "Receive compensation for the outage": (
        ("no compensation for {days} days without service", "the outage credit was £{small}",
         "had to fight for the compensation I'm entitled to"),
        ("compensation credited automatically, fair enough", "the credit for the outage was applied without "
         "me asking"),
        ("Outage compensation", "Compensation request"),
    ),
    "Make a complaint": (
        ("my complaint has gone nowhere in {weeks} weeks", "nobody acknowledges my complaint",
         "I want my complaint escalated, this is the {nth} time", "the complaint response didn't address "
         "anything I raised"),
        ("the complaints team called me back and fixed it", "complaint handled fairly and quickly"),
        ("Formal complaint", "Complaint escalation", "Complaint ref"),
    ),
    # Pay & renew or leave
    "Receive the first bill": (
        ("the first bill is impossible to understand", "my first bill had two months of charges on it",
         "the first bill arrived before I was even connected", "no breakdown on the first bill of what "
         "the one-off charges are"),
        ("the first bill was exactly what I expected", "first bill matched what I was quoted, pleasantly "
         "surprised"),
        ("First bill higher than expected", "Charges on my first bill", "Query about first bill"),
    ),
    "Generate monthly bills": (
        ("the bill arrived {days} days late", "charged twice this month", "my loyalty discount has "
         "dropped off the bill", "the bill went up £{fee} without any explanation"),
        ("bills are always on time and clear",),
        ("Monthly bill", "Double charge", "Discount missing"),
    ),
    "Billing and rating system": (
        ("I'm being charged for calls I never made", "the data on my bill is double what the app shows",
         "roaming charges while I was in {town}", "the balance in the app and the bill never agree"),
        ("the usage on my bill matches the app exactly",),
        ("Incorrect charges", "Usage charges wrong"),
    ),
    "Query a charge on my bill": (
        ("no one can explain the extra £{fee} on my bill", "was told the charge would be removed, it's still "
         "there", "queried a charge {times} times and got {times} different answers", "it took {mins} "
         "minutes to get a one-line answer about my bill"),
        ("the agent explained the charge and refunded it", "bill query sorted in one call"),
        ("Charge on my bill", "Bill dispute", "Refund request"),
    ),
    "Set up a payment method": (
        ("the direct debit set-up page errors every time", "the app won't save my card",
         "can't change my payment date anywhere online", "my payment failed but the money left my account"),
        ("setting up the direct debit was quick", "changing my payment date in the app was easy"),
        ("Direct debit", "Payment method", "Card payment failed"),
    ),
    "Payment reminders and collections": (
        ("got a final demand for £{small} I'd already paid", "the collections call was really aggressive",
         "reminder texts every day for a bill that isn't due yet"),
        ("the payment reminder was friendly and clear", "they gave me extra time to pay without fuss"),
        ("Payment reminder", "Collections letter"),
    ),
    "Ask for help paying": (
        ("asked for a payment plan and was told to pay in full", "the social tariff application is "
         "impossible to find", "felt judged when I said I couldn't pay"),
        ("they set up a payment plan that I can actually afford", "so understanding when I explained my "
         "situation", "moved me to the social tariff straight away"),
        ("Payment difficulty", "Payment plan", "Social tariff"),
    ),
    "Get told my contract is ending": (
        ("my contract ended and the price jumped without a word", "the end-of-contract e-mail went to spam",
         "the end-of-contract text didn't mention the new price"),
        ("the end-of-contract e-mail showed my options clearly", "got a heads-up a month before my "
         "contract ended"),
        ("Contract ending", "Price increase after contract"),
    ),
    "Compare my deal with new-customer offers": (
        ("new customers pay £{price} for what costs me £{price2}", "I've been with you {years} years and "
         "pay more than someone who joined today", "existing customers get nothing"),
        ("they matched the new-customer price when I asked",),
        ("Loyalty pricing", "Better deal for existing customers"),
    ),
    "Upgrade my phone or plan": (
        ("the upgrade in the app failed at the payment step", "upgrade price in store was higher than "
         "online", "waited {weeks} weeks for the upgrade phone"),
        ("upgraded my plan in two minutes in the app", "the store did the upgrade and moved my data",
         "smooth upgrade, new phone next day"),
        ("Upgrade", "Handset upgrade", "Plan change"),
    ),
    "Move my service to a new home": (
        ("moved in {days} days ago and still no broadband", "moving home meant a new 24-month contract",
         "the home move order was cancelled without telling me"),
        ("broadband was working the day we moved in", "the home move team handled everything"),
        ("Moving home", "Home move order"),
    ),
    "Ask to cancel": (
        ("I asked to cancel {times} times and I'm still being billed", "cancelling is deliberately difficult",
         "why do I have to phone to cancel", "they kept transferring me when I said cancel"),
        ("cancellation was handled quickly and politely",),
        ("Cancel my contract", "Cancellation request", "Notice to leave"),
    ),
    "Receive a retention offer": (
        ("the retention offer was only available if I signed for another {months} months", "only offered "
         "a discount once I'd said I'm leaving", "the save offer disappeared from my bill after one month"),
        ("the retention team found me a much better deal", "happy with the offer, staying"),
        ("Retention offer", "Discount not applied"),
    ),
    "Transfer my number to another provider": (
        ("the switching code took {days} days", "lost service for {days} days while switching",
         "the code you texted me is invalid"),
        ("switching code arrived instantly",),
        ("Switching code", "Number transfer"),
    ),
    "Pay the final bill and get a refund": (
        ("final bill charged me for {weeks} weeks after I left", "my refund of £{small} still hasn't arrived",
         "exit fee far higher than quoted"),
        ("final bill was correct and the refund came quickly",),
        ("Final bill", "Refund", "Early termination fee"),
    ),
    "Return the old router": (
        ("no returns label with the bag", "charged £{fee} for a router I returned", "nobody can tell me "
         "where to send the old router", "the courier never came for the router"),
        ("returning the router was easy with the prepaid bag",),
        ("Router return", "Charged for returned equipment"),
    ),
}

# Org phrases that are positive or neutral (everything else in organization.py reads as negative).
POSITIVE_ORG_PHRASES = frozenset({
    "the advisor in the shop was really helpful and patient",
    "the technician was brilliant and explained everything",
    "the welcome e-mail was useful and clear",
    "the troubleshooting guide fixed it in five minutes",
    "the agent was friendly and sorted it first time",
    "the shop swapped my SIM on the spot, great service",
    "they reset the line remotely and it worked straight away",
    "the fault was fixed without me having to do anything",
    "the engineer fixed the cable in the street, all good now",
    "the new router arrived next day, really impressed",
    "it was nice to get a message once everything was working again",
    "happy to give a 10 for the engineer",
    "the outage credit showed up on my bill without asking, thank you",
    "the complaints team actually listened and put it right",
    "they refunded the wrong charge straight away, thanks",
    "your reminder was polite and gave me time to pay",
    "they agreed a payment plan and were really kind about it",
    "a clear e-mail explaining my best deal, appreciated",
    "upgrading in the app was quick and easy",
    "moving home was the easiest part of the whole move",
    "the retention offer was better than any deal online",
    "my number moved over smoothly",
})
NEUTRAL_ORG_PHRASES = frozenset({
    "saw your offer on Instagram and wanted to know more",
    "got a leaflet through the door about fibre coming to my street",
    "what's the difference between Fibre 300 and Fibre 500",
    "is the TV add-on worth it for a family",
    "how do I change the Wi-Fi password",
    "is my installation still happening on Friday",
    "can I get the online offer as an existing customer",
    "I'm moving house, how do I take my broadband with me",
    "I need my code to switch my number",
    "how do I send the router back",
    "I want to cancel my contract",
    "is there a cheaper social tariff",
    "can I spread the cost of my bill",
    "I want to make a formal complaint",
    "how do I escalate this to the ombudsman",
    "I want to move my payment date to after payday",
})

# ---------------------------------------------------------------- wrappers

OPENERS = {
    "neg": ("Honestly,", "Not impressed.", "Really disappointed.", "Where do I start.", "Sorry but",
            "I'll be honest,", "Once again", "Seriously,", "Fed up.", "Unbelievable.", "Not happy.",
            "To be blunt,", "Frustrating experience.", "Well,", "Long story short:", "Ugh.",
            "As usual", "I'm sorry to say", "Terrible experience.", "Very poor."),
    "pos": ("Just wanted to say", "Credit where it's due:", "Pleasantly surprised.", "Good experience.",
            "Have to say,", "Really pleased.", "Top marks.", "Happy customer here.", "Honestly,",
            "Nice one.", "Better than expected.", "Impressed.", "No complaints:"),
    "mixed": ("Mixed feelings.", "Not bad, but", "It's ok I suppose.", "Half and half:", "Could be better.",
              "Average.", "Some good, some bad.", "Fine in the end, but"),
    "neutral": ("Quick question:", "Hi,", "Hello,", "Just asking,", "Wondering", "Can someone tell me,",
                "Not urgent but", "Out of interest,"),
}
CLOSERS = {
    "neg": ("Sort it out.", "Not good enough.", "Thinking of leaving.", "Please fix this.", "Very frustrating.",
            "I pay £{price} a month for this.", "Absolutely ridiculous.", "Really poor service.",
            "Would not recommend.", "This is the {nth} time.", "Still waiting for an answer.",
            "I've had enough.", "Expected better.", "Looking at other providers now.", "Shocking.",
            "Nobody seems to care.", "What a waste of time.", "Been a customer {years} years, never again.",
            "Just make it work.", "Avoid."),
    "pos": ("Thanks!", "Keep it up.", "Would recommend.", "Really appreciated.", "Thank you.",
            "Made my day.", "Five stars.", "That's how it should be.", "Great job.", "Cheers!",
            "Happy to stay with you.", "Well done."),
    "mixed": ("Room for improvement.", "Got there eventually.", "Could have been quicker.", "It'll do.",
              "OK overall.", "Took longer than it should."),
    "neutral": ("Thanks.", "Any help appreciated.", "Thanks in advance.", "Cheers.", "Let me know.", ""),
}
LINKS = {
    "pos_but_neg": ("but", "although", "though to be fair", "even if"),
}
MIXED_BRIDGES = ("In the end", "Eventually", "On the plus side", "To be fair", "Once it was sorted",
                 "After all that", "Good news is")

CONTEXT = {
    "Busy family": (
        "with three kids all on their tablets", "the kids couldn't do their homework", "my partner and I "
        "both work full time", "I had the school run to do", "the children were climbing the walls without "
        "Wi-Fi", "with a newborn I don't have time for this", "the whole family relies on it",
        "the kids' games console was the only thing keeping them quiet", "I had to take a day off work",
        "my teenager was in the middle of an online exam",
    ),
    "Small business owner": (
        "I run a café and the card machine relies on it", "my shop lost a morning of sales",
        "I had customers queuing and no card payments", "my booking system went offline",
        "I run a small business from home", "the salon's booking app needs the connection",
        "every hour offline costs me money", "I had to send staff home early", "our guest Wi-Fi was down "
        "all day", "I can't take orders without it",
    ),
    "Student on a budget": (
        "I'm a student and every pound counts", "it's exam week", "I had a deadline at midnight",
        "there are four of us sharing the flat", "I'm on a tight budget", "my lectures are all online",
        "I had an online exam", "I'm paying this out of my student loan", "my flatmates are blaming me",
        "I was in the middle of my dissertation",
    ),
    "Remote worker": (
        "I work from home", "I had back-to-back video calls", "my boss saw me freeze on camera again",
        "I had to tether off my phone all day", "I was presenting to a client", "I had to go to a café "
        "to work", "I lost half a day's work", "I work in IT so I've already done all the usual checks",
        "my job depends on a stable connection", "I'm on calls from 8am",
    ),
}
WHEN = ("yesterday", "this morning", "last night", "on {weekday}", "last week", "earlier today",
        "on {weekday} evening", "over the weekend", "for the second time this month", "again today",
        "at {time}", "since {weekday}")

TICKET_OPENING = ("I am writing to report that", "I would like to raise the following issue:", "Please note that",
                  "I'm contacting you because", "I wish to complain that", "Further to my call,",
                  "I need help with the following:", "For your information,", "As discussed on the phone,")
TICKET_POS_OPENING = ("I just wanted to let you know that", "I'd like to give some feedback:",
                      "Please pass on my thanks:", "A quick note to say")
TICKET_ASK = ("Please could you look into this as a matter of urgency.", "I expect a response within {days} days.",
              "Please call me back to resolve this.", "Can you confirm what you will do about this?",
              "I would like this escalated.", "Please advise next steps.", "I look forward to your reply.",
              "Please refund the difference.", "I'd appreciate an update.")
TICKET_GREETING = ("Hello,", "Hi,", "Dear Kestrel Connect,", "Dear Sir/Madam,", "Hi there,", "To whom it may concern,")
TICKET_SIGNOFF = ("Regards,", "Kind regards,", "Thanks,", "Many thanks,", "Best,", "Yours faithfully,")
REFERENCE = ("My account number is KC{acct}.", "Order ref ORD-{ref}.", "Case number {case}.",
             "Previous ticket #{case}.", "Account KC{acct}.", "Fault ref FLT{ref}.")

APP_PREFIX = {
    "neg": ("Useless app.", "Rubbish.", "Worst app ever", "Deleted.", "1 star because I can't give 0.", "Awful.",
            "Fix your app!", "So annoying", "Don't bother.", "Terrible", "Garbage update"),
    "pos": ("Great app!", "Love it.", "Finally a decent app.", "Works well", "Brilliant.", "Really handy app",
            "5 stars", "Good update", "Does the job"),
    "mixed": ("Ok app but", "Decent app,", "Getting better", "3 stars:"),
    "neutral": ("Question:", "Hmm", "Ok"),
}
APP_SUFFIX = {
    "neg": ("!!!", "!!", ". Sort it out", " 😡", " 🤬", "...", ". Uninstalling.", " smh", ". Pathetic.", ""),
    "pos": ("!", " 👍", " 😊", ". Thanks devs", ". Keep it up!", " 👏", ""),
    "mixed": (".", "...", " 🤷", ""),
    "neutral": ("?", "", ".", "??"),
}

SOCIAL_HASHTAGS = {
    "neg": ("#fail", "#customerservice", "#KestrelFail", "#shocking", "#broadband", "#fedup", "#sortitout",
            "#nointernet", "#WFH", "#badservice"),
    "pos": ("#happycustomer", "#thankyou", "#greatservice", "#shoutout", "#broadband"),
    "mixed": ("#broadband", "#meh", "#progress"),
    "neutral": ("#help", "#question", "#broadband"),
    "outage": ("#outage", "#KestrelDown", "#nointernet", "#down", "#broadbandoutage", "#statuspagelies"),
}
SOCIAL_MENTION = ("@KestrelConnect", "@KestrelHelp", "@KestrelConnect @KestrelHelp", "Hey @KestrelConnect")

NPS_FRAME = {
    "neg": ("Wouldn't recommend:", "Score is low because", "Main reason:", "Why the low score?",
            "Simple:", "", ""),
    "pos": ("Would recommend because", "Reason for my score:", "Mainly because", "", ""),
    "mixed": ("Middle score because", "Fine overall but", "Would be higher but", ""),
    "neutral": ("", "Reason:", "Not sure,"),
}

CRM_NOTES = {
    "churn": ("Cust requested cancellation, reason: {reason}. Save offer declined.",
              "Churned — {reason}. Number ported out.", "Cancellation processed. Cust cited {reason}.",
              "Leaving for competitor, {reason}.", "Cease raised. Reason given: {reason}."),
    "renewal": ("Re-contracted {months}m at £{price}/month.", "Renewal accepted after retention offer.",
                "Cust renewed online, upgraded to Fibre {speed}.", "Accepted save offer, {months} month term.",
                "Renewed in store, handset upgrade."),
    "complaint": ("Formal complaint logged: {reason}.", "Complaint raised re {reason}, escalated to tier 2.",
                  "Complaint — {reason}. Cust requested callback.", "Expression of dissatisfaction: {reason}.",
                  "Complaint upheld, goodwill credit £{small} applied."),
}
CRM_REASONS = ("price rise", "moving abroad", "better deal elsewhere", "repeated outages", "poor speeds",
               "billing errors", "bad customer service", "first bill higher than quoted", "engineer no-shows",
               "mobile coverage", "app login problems", "outage communication", "end of contract price")

FIRST_NAMES = ("Amelia", "Oliver", "Isla", "George", "Ava", "Harry", "Mia", "Noah", "Sophie", "Jack", "Grace",
               "Leo", "Priya", "Mohammed", "Chloe", "Oscar", "Zara", "Arthur", "Freya", "Ethan", "Aisha", "Liam",
               "Hannah", "Tom", "Ruby", "Callum", "Niamh", "Dylan", "Megan", "Rhys", "Yusuf", "Ellie", "Kwame",
               "Lucy", "Samir", "Olivia", "Finn", "Maisie", "Jamal", "Erin")
LAST_NAMES = ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
              "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Khan", "Wood",
              "Clarke", "Hughes", "Edwards", "Murphy", "Price", "Kaur", "Ali", "Campbell", "Morgan", "Okafor")
AGENT_NAMES = ("Sarah", "Dev", "Kelly", "Marcus", "Jo", "Imran", "Beth", "Connor", "Leanne", "Ravi")
TOWNS = ("Leeds", "Bristol", "Cardiff", "Norwich", "York", "Derby", "Swindon", "Exeter", "Reading", "Hull",
         "Stockport", "Luton", "Bolton", "Plymouth", "Newport", "Preston", "Wigan", "Bath", "Salford", "Dundee",
         "Croydon", "Slough", "Bangor", "Ipswich")
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
# Ofcom numbers reserved for drama: a mobile range and several geographic ranges.
PHONE_FORMATS = ("07700 900{d3}", "07700 900 {d3}", "07700900{d3}", "+44 7700 900{d3}", "020 7946 0{d3}",
                 "0161 496 0{d3}", "0113 496 0{d3}", "0121 496 0{d3}", "029 2018 0{d3}", "0141 496 0{d3}")
# Public test card numbers (Luhn-valid, never issued).
TEST_CARDS = ("4111 1111 1111 1111", "4242 4242 4242 4242", "5555 5555 5555 4444", "4111111111111111",
              "5105 1051 0510 5100", "3782 822463 10005")
PII_EMAIL = ("You can e-mail me at {email}.", "My e-mail is {email}", "contact me on {email}",
             "reply to {email} please", "(my e-mail: {email})")
PII_PHONE = ("Call me on {phone}.", "My number is {phone}", "ring me on {phone} after 5",
             "mobile: {phone}", "please text {phone}")
PII_CARD = ("I paid with card {card} and was charged twice.", "The card on file is {card}, please use that one.",
            "take the payment from {card}", "card number {card} exp 12/28")
