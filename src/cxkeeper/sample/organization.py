"""The sample organization as data: Kestrel Connect, an invented broadband and mobile provider.

Everything a newcomer sees after `cxkeeper demo` is declared here, in reading order: the
workspace language, teams, people, personas, the three journeys with their steps and the
teams responsible for each step, and the handoffs between teams. `load.py` builds it through
the real actions. The example phrases also train the feedback router, so each step's phrases
are written the way customers really talk and differ from the phrases of its neighbours.

Deliberate gaps, so the coverage views have something to show:
- no owning team: "Wait for the connection date", "Hear about an outage", "Return the old router";
- several owners and no lead: "Run a line test in the app", "Receive the first bill";
- a team on no step at all: Corporate Communications (who write outage statements, yet are
  not on the map — one reason customers find outage messages unclear).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cxkeeper.core.roles import Role
from cxkeeper.journeys.choices import Lane, ResponsibilityRole
from cxkeeper.org.choices import Office, TeamFunction

# ---------------------------------------------------------------- shapes


@dataclass(frozen=True)
class TeamSpec:
    name: str
    function: TeamFunction
    office: Office
    customer_facing: bool
    description: str
    lead: str  # username


@dataclass(frozen=True)
class PersonSpec:
    username: str
    full_name: str
    role: Role
    teams: tuple[str, ...]
    about: str  # printed next to the username by `cxkeeper demo`: role, teams, what to try


@dataclass(frozen=True)
class Part:
    """A team's part in a step (a responsibility)."""

    team: str
    role: ResponsibilityRole
    lead: bool = False
    note: str = ""


@dataclass(frozen=True)
class StepSpec:
    name: str
    lane: Lane
    channel: str
    description: str
    phrases: tuple[str, ...]
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True)
class StageSpec:
    name: str
    description: str
    steps: tuple[StepSpec, ...]


@dataclass(frozen=True)
class JourneySpec:
    name: str
    description: str
    persona: str
    keeper: str  # username
    reviewed_days_ago: int | None  # None: never reviewed
    stages: tuple[StageSpec, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class HandoffSpec:
    from_step: str
    from_team: str
    to_step: str
    to_team: str
    description: str


def owns(team: str, note: str = "", *, lead: bool = False) -> Part:
    return Part(team, ResponsibilityRole.OWNS, lead, note)


def contributes(team: str, note: str = "") -> Part:
    return Part(team, ResponsibilityRole.CONTRIBUTES, False, note)


def informed(team: str, note: str = "") -> Part:
    return Part(team, ResponsibilityRole.INFORMED, False, note)


# ---------------------------------------------------------------- workspace language

WORKSPACE_NAME = "Kestrel Connect"

MISSION = (
    "Keep people connected to what matters. Joining, getting help and paying should feel easy, "
    "honest and predictable: we promise only what we deliver, the first bill holds no surprises, "
    "and a problem is fixed the first time — with us telling the customer before they have to ask. "
    "Every team, front stage and back stage, owns its part of that experience."
)

REVIEW_INTERVAL_DAYS = 90

GLOSSARY = (
    ("North Star", "Our CX mission statement: the one sentence every team checks its decisions against."),
    ("Journey", "Everything a customer goes through to reach one goal, such as getting connected, end to end "
                "and across every team involved."),
    ("Stage", "A phase of a journey with its own customer goal, e.g. “Order” or “Fix”. Stages are shown "
              "left to right in the order customers live them."),
    ("Step", "One thing that happens in a stage: something the customer does, sees, or that happens behind "
             "the scenes for them. Feedback is linked to steps."),
    ("Touchpoint", "A moment where the customer meets us: an ad, the app, a call, an engineer at the door, "
                   "a bill."),
    ("Lane", "The layer of the service blueprint a step sits in: customer action, front-stage touchpoint, "
             "back-stage process or support system."),
    ("Front stage / back stage", "Front stage is what the customer sees and hears; back stage is the work "
                                 "and systems they never see but always feel."),
    ("Keeper", "The caretaker of a journey map: keeps it current, runs the cross-functional reviews and "
               "keeps every team on the same page. A keeper coordinates; teams own their parts."),
    ("Responsibility", "A team's part in a step: owns (answers for it), contributes (changes it) or "
                       "informed (must hear about changes). Several owners need one lead owner."),
    ("Handoff", "Work passing from one team to another between steps — where customers most often fall "
                "through the cracks."),
    ("Friction point", "A place in a journey where customers spend avoidable effort, wait or get "
                       "surprised, backed by feedback or measures."),
    ("Hidden hero", "A back-office or non-customer-facing team whose work improved the experience, e.g. the "
                    "IT engineers whose login fix cut calls to the helpline."),
    ("NPS", "Net Promoter Score: % of customers scoring 9–10 minus % scoring 0–6 on “How likely are you to "
            "recommend us?” (0–10). Ranges from −100 to +100."),
    ("CSAT", "Customer satisfaction: % of customers rating an interaction 4 or 5 on a 1–5 scale."),
    ("CES", "Customer Effort Score: how easy it was to get something done, averaged on a 1–7 scale "
            "(higher is easier); also reported as % easy."),
    ("Churn", "The share of customers who leave in a period; its opposite is retention."),
    ("First-contact resolution", "The share of problems solved in the customer's first contact, with no "
                                 "callback, transfer or repeat call."),
)

# ---------------------------------------------------------------- teams

MARKETING = "Brand & Marketing"
CORP_COMMS = "Corporate Communications"
SALES = "Sales & Stores"
RETENTION = "Retention & Loyalty"
CARE = "Customer Care"
UX = "Digital Experience Design"
PRODUCT = "Product Management"
NETWORK = "Network Operations"
FIELD = "Field Engineering"
IT = "IT & Digital Platforms"
BILLING = "Billing & Collections"
LEGAL = "Legal & Regulatory"
PRICING = "Pricing & Offers"
SUPPLY = "Supply Chain & Logistics"
HR = "People & Training"
FRAUD = "Fraud & Identity"
CX_OFFICE = "CX Office"

FRONT, BACK = Office.FRONT, Office.BACK

TEAMS = (
    TeamSpec(MARKETING, TeamFunction.MARKETING, FRONT, True,
             "Brand, advertising, campaigns and the welcome programme. Measured on leads and brand "
             "consideration.", "nora"),
    TeamSpec(CORP_COMMS, TeamFunction.MARKETING, BACK, False,
             "Press office and public statements, including statements during major network incidents. "
             "Not yet on any journey step.", "nora"),
    TeamSpec(SALES, TeamFunction.SALES, FRONT, True,
             "Online shop, telesales and 140 stores. Sells broadband, mobile and bundles; books "
             "installations. Measured on gross adds and conversion.", "sam"),
    TeamSpec(RETENTION, TeamFunction.SALES, FRONT, True,
             "Handles customers who ask to leave or reach the end of their contract: save offers, "
             "re-contracting and cancellations.", "ruth"),
    TeamSpec(CARE, TeamFunction.CUSTOMER_SERVICE, FRONT, True,
             "Helpline, chat, help centre and complaints, around 600 agents on three sites. Measured on "
             "average handle time, first-contact resolution and CSAT.", "maya"),
    TeamSpec(UX, TeamFunction.UX_DESIGN, FRONT, False,
             "Designs the website, the app and the order flow; runs usability tests with customers.", "dana"),
    TeamSpec(PRODUCT, TeamFunction.PRODUCT, BACK, False,
             "Owns the broadband, mobile and TV propositions, the router and the app roadmap.", "priya"),
    TeamSpec(NETWORK, TeamFunction.OPERATIONS, BACK, False,
             "Runs the fixed and mobile network around the clock: monitoring, incidents, activation and "
             "number porting.", "omar"),
    TeamSpec(FIELD, TeamFunction.OPERATIONS, FRONT, True,
             "Installation and repair engineers, in-house and contractors, who visit customers' homes "
             "and businesses.", "felix"),
    TeamSpec(IT, TeamFunction.IT, BACK, False,
             "Builds and runs the app, the website back end, order management, billing platform, agent "
             "desktop and phone routing.", "ivan"),
    TeamSpec(BILLING, TeamFunction.BILLING_FINANCE, BACK, False,
             "Bill production, payments, refunds, credits and collections. Measured on days sales "
             "outstanding and bad debt.", "bea"),
    TeamSpec(LEGAL, TeamFunction.LEGAL, BACK, False,
             "Contracts, advertising claims, consumer and telecoms regulation, complaint escalations to the "
             "ombudsman.", "lena"),
    TeamSpec(PRICING, TeamFunction.PRICING, BACK, False,
             "Sets tariffs, promotions, annual price changes and save offers; owns the price book.", "rafa"),
    TeamSpec(SUPPLY, TeamFunction.SUPPLY_CHAIN, BACK, False,
             "Buys and ships routers, SIM cards and handsets; runs the warehouse, engineer van stock and "
             "equipment returns.", "sol"),
    TeamSpec(HR, TeamFunction.HR, BACK, False,
             "Hiring, onboarding and training for agents, store staff and engineers; incentive "
             "schemes.", "hana"),
    TeamSpec(FRAUD, TeamFunction.OTHER, BACK, False,
             "Credit checks, identity verification and fraud prevention on orders and SIM swaps.", "fatima"),
    TeamSpec(CX_OFFICE, TeamFunction.OTHER, BACK, False,
             "Keeps the journey maps, runs the CX council and the customer surveys. Coordinates; does not "
             "own other teams' steps.", "kira"),
)

# ---------------------------------------------------------------- people

PEOPLE = (
    PersonSpec("alex", "Alex Morgan", Role.ADMIN, (IT,),
               "admin — people, teams, settings and Django admin"),
    PersonSpec("kira", "Kira Patel", Role.KEEPER, (CX_OFFICE,),
               "keeper, Head of CX — restructure journeys, assign teams"),
    PersonSpec("tomas", "Tomas Reyes", Role.KEEPER, (CX_OFFICE, CARE),
               "keeper — “Get help & fix a problem” is overdue: review it"),
    PersonSpec("evelyn", "Evelyn Brooks", Role.VIEWER, (),
               "executive sponsor (viewer role) — org-wide view; breaks ties on escalated friction points"),
    PersonSpec("victor", "Victor Hale", Role.VIEWER, (),
               "viewer, any employee — read the North Star and journeys"),
    PersonSpec("ivan", "Ivan Petrov", Role.MEMBER, (IT,),
               "member, IT lead — edit “Log in to the app”"),
    PersonSpec("maya", "Maya Okafor", Role.MEMBER, (CARE,),
               "member, Customer Care lead — edit “Talk to an agent”"),
    PersonSpec("ruth", "Ruth Lindqvist", Role.MEMBER, (RETENTION, CARE),
               "member, Retention + Care — edit “Ask to cancel”"),
    PersonSpec("sam", "Sam Whitaker", Role.MEMBER, (SALES,),
               "member, Sales lead — edit “Book an installation slot”"),
    PersonSpec("nora", "Nora Castillo", Role.MEMBER, (MARKETING, CORP_COMMS),
               "member, Marketing + Corporate Comms (a team on no step)"),
    PersonSpec("priya", "Priya Raman", Role.MEMBER, (PRODUCT, UX),
               "member, Product + UX — edit “Compare plans and bundles”"),
    PersonSpec("dana", "Dana Kim", Role.MEMBER, (UX,),
               "member, UX design lead — contributes to many steps"),
    PersonSpec("omar", "Omar Haddad", Role.MEMBER, (NETWORK,),
               "member, Network Ops lead — “Hear about an outage” has no owner"),
    PersonSpec("felix", "Felix Brandt", Role.MEMBER, (FIELD,),
               "member, Field Engineering lead — edit the installation visit"),
    PersonSpec("bea", "Beatriz Souza", Role.MEMBER, (BILLING,),
               "member, Billing lead — first bill: two owners, no lead"),
    PersonSpec("rafa", "Rafael Ortiz", Role.MEMBER, (PRICING, PRODUCT),
               "member, Pricing + Product — edit “Set prices and promotions”"),
    PersonSpec("lena", "Lena Novak", Role.MEMBER, (LEGAL,),
               "member, Legal lead — edit “Sign the contract summary”"),
    PersonSpec("sol", "Sol Mendez", Role.MEMBER, (SUPPLY,),
               "member, Supply Chain lead — edit “Ship the router and SIM cards”"),
    PersonSpec("hana", "Hana Sato", Role.MEMBER, (HR,),
               "member, HR lead — HR contributes to agent and engineer steps"),
    PersonSpec("fatima", "Fatima Idris", Role.MEMBER, (FRAUD, BILLING),
               "member, Fraud + Billing — edit “Check credit and identity”"),
)

# ---------------------------------------------------------------- personas

PERSONAS = (
    ("Busy family", "Two working parents and three children with phones, tablets and a games console. "
                    "Want fast Wi-Fi in every room, one bill and no days off work waiting for an engineer."),
    ("Small business owner", "Runs a café with card payments, a booking system and guest Wi-Fi on a "
                             "business line. Every hour offline costs money; needs fixes and updates fast."),
    ("Student on a budget", "Shares a flat, pays from a tight monthly budget, compares deals online and "
                            "switches provider without hesitation when the price rises."),
    ("Remote worker", "Works from home on video calls all day; notices every drop-out and judges us on "
                      "reliability and how quickly we explain what is going on."),
)

# ---------------------------------------------------------------- journeys

CA, FS, BS, SS = Lane.CUSTOMER_ACTION, Lane.FRONTSTAGE, Lane.BACKSTAGE, Lane.SUPPORT_SYSTEM

JOIN = JourneySpec(
    name="Join & get connected",
    description="From first seeing an offer to a working connection at home with the app set up. "
                "Promises made here are tested at the first bill.",
    persona="Busy family",
    keeper="kira",
    reviewed_days_ago=12,
    stages=(
        StageSpec("Explore & choose", "The customer discovers us, compares plans and checks what they get.", (
            StepSpec(
                "See an ad or offer", FS, "TV, social, web",
                "Campaigns, price promotions and speed claims that bring people to the shop or website.",
                ("the ad said up to 900 Mb but that's not what I'd actually get",
                 "saw your offer on Instagram and wanted to know more",
                 "your TV advert made it look like the price never goes up",
                 "the small print on the offer was impossible to read",
                 "got a leaflet through the door about fibre coming to my street"),
                (owns(MARKETING, "campaigns and creative", lead=True),
                 contributes(LEGAL, "signs off speed and price claims"),
                 informed(PRICING, "hears which promotions are advertised")),
            ),
            StepSpec(
                "Compare plans and bundles", CA, "web, store",
                "The customer weighs speeds, data allowances, contract length and bundles against their "
                "budget.",
                ("too many plans, I couldn't tell the difference between them",
                 "what's the difference between Fibre 300 and Fibre 500",
                 "I wanted broadband and two SIMs together but couldn't find a bundle",
                 "the comparison table didn't show the price after the first year",
                 "is the TV add-on worth it for a family"),
                (owns(MARKETING, "plan pages and comparison content", lead=True),
                 owns(PRODUCT, "what is in each plan"),
                 contributes(UX, "comparison table design"),
                 contributes(PRICING, "prices shown")),
            ),
            StepSpec(
                "Check availability at my address", FS, "web",
                "The online checker tells the customer which speeds and services reach their address.",
                ("my address isn't listed in the checker",
                 "the checker says fibre isn't available but my neighbours have it",
                 "the postcode checker keeps saying try again later",
                 "it said 500 Mb was available then changed to 80 at checkout",
                 "my flat number is missing from the drop-down"),
                (owns(IT, "checker service and address lookup", lead=True),
                 contributes(NETWORK, "coverage and speed data"),
                 contributes(UX, "checker flow")),
            ),
            StepSpec(
                "Address and coverage database", SS, "internal",
                "The address register and network coverage data behind the checker, refreshed nightly from "
                "network planning.",
                ("your system says my house doesn't exist",
                 "our new-build estate isn't recognised by your system",
                 "the coverage map shows 5G here but I get no signal indoors",
                 "the coverage information on your website is out of date"),
                (owns(IT, "address register and data pipeline"),
                 contributes(NETWORK, "coverage predictions")),
            ),
            StepSpec(
                "Talk to a sales advisor", FS, "store, phone",
                "Advisors in stores and on the sales line recommend a plan and quote prices and dates.",
                ("the advisor in the shop was really helpful and patient",
                 "the salesperson kept pushing the most expensive package",
                 "waited 40 minutes on the sales line",
                 "the advisor promised the price would stay the same for two years",
                 "they couldn't tell me whether my old router would still work"),
                (owns(SALES, "advice, quotes and promises", lead=True),
                 contributes(HR, "advisor training and sales incentives"),
                 informed(PRICING, "what advisors may offer")),
            ),
            StepSpec(
                "Set prices and promotions", BS, "internal",
                "Tariffs, launch discounts and annual price changes are set and loaded into the price book.",
                ("why do new customers get a better deal than me",
                 "the promotion ended before I could finish ordering",
                 "the price in the shop was different from the website",
                 "the mid-contract price rise wasn't mentioned anywhere"),
                (owns(PRICING, "price book and promotion rules", lead=True),
                 contributes(PRODUCT, "proposition design"),
                 contributes(LEGAL, "price-change terms"),
                 informed(MARKETING, "promotion calendar")),
            ),
        )),
        StageSpec("Order", "The customer orders and agrees the contract.", (
            StepSpec(
                "Place the order", CA, "web, store, phone",
                "The customer fills in the order online, in a store or with telesales.",
                ("checkout crashed when I pressed pay",
                 "I ordered online and got two confirmation e-mails with different dates",
                 "the order form asked for the same details three times",
                 "couldn't keep my existing mobile number during the order",
                 "ordering in the store took over an hour"),
                (owns(SALES, "order capture", lead=True),
                 contributes(IT, "online checkout"),
                 contributes(UX, "order flow")),
            ),
            StepSpec(
                "Check credit and identity", BS, "internal",
                "Every order passes a credit check and identity verification before it is released.",
                ("my order was put on hold for a credit check and nobody told me why",
                 "asked to upload my passport twice",
                 "you refused my order even though I've been a customer before",
                 "the ID check failed because my name has an accent in it"),
                (owns(FRAUD, "credit and ID rules", lead=True),
                 contributes(BILLING, "payment history of returning customers")),
            ),
            StepSpec(
                "Sign the contract summary", FS, "e-mail",
                "The customer receives and accepts the contract summary and terms; the cooling-off period "
                "starts.",
                ("the contract summary was twenty pages of jargon",
                 "I never received the contract summary before signing",
                 "the cooling-off period wasn't explained",
                 "the contract says 24 months but I was told 12"),
                (owns(LEGAL, "contract wording", lead=True),
                 contributes(SALES, "what is agreed at the point of sale")),
            ),
            StepSpec(
                "Order management system", SS, "internal",
                "Tracks each order from capture to activation and shows its status to customers and agents.",
                ("the order status page has said processing for a week",
                 "my order disappeared from my account",
                 "the agent couldn't see my order on their screen",
                 "I got an order reference that nobody could find"),
                (owns(IT, "order management platform"),),
            ),
        )),
        StageSpec("Deliver & install", "Equipment arrives, an engineer installs and the line goes live.", (
            StepSpec(
                "Book an installation slot", FS, "web, phone",
                "The customer picks an engineer appointment when ordering or afterwards.",
                ("the earliest installation date is three weeks away",
                 "I had to take a whole day off for an 8 to 6 slot",
                 "booked a Saturday slot and it was moved without asking me",
                 "couldn't change the installation date online"),
                (owns(SALES, "booking at the point of sale", lead=True),
                 contributes(FIELD, "engineer capacity and slots")),
            ),
            StepSpec(
                "Ship the router and SIM cards", BS, "post",
                "The warehouse picks, packs and ships the router, SIM cards and any handset.",
                ("the router hasn't arrived and the engineer comes tomorrow",
                 "the tracking number doesn't work",
                 "the SIM arrived but the router didn't",
                 "the parcel was left with a neighbour I don't know"),
                (owns(SUPPLY, "warehouse and courier", lead=True),
                 informed(SALES, "delivery dates promised")),
            ),
            StepSpec(
                "Unbox the router and SIM", CA, "home",
                "The customer opens the box and follows the quick-start guide.",
                ("the quick-start guide was missing from the box",
                 "the box had the wrong size SIM",
                 "no idea which cable goes where",
                 "the router box was damaged and the power supply was missing"),
                (owns(PRODUCT, "box contents and quick-start guide", lead=True),
                 contributes(UX, "guide design"),
                 contributes(SUPPLY, "packing")),
            ),
            StepSpec(
                "Wait for the connection date", CA, "e-mail, SMS",
                "The days or weeks between order and go-live. Nobody owns keeping the customer updated.",
                ("I've heard nothing since I ordered two weeks ago",
                 "is my installation still happening on Friday",
                 "had to chase three times for an update",
                 "no one told me the connection was delayed"),
                (informed(SALES), informed(CARE, "takes the chasing calls")),
            ),
            StepSpec(
                "Technician installation visit", FS, "field",
                "An engineer installs the line and router in the home and checks the speed.",
                ("the engineer didn't turn up and nobody called",
                 "the technician was brilliant and explained everything",
                 "the engineer drilled through the wall in the wrong place",
                 "he arrived without the right cable and had to come back another day",
                 "the installer left mess everywhere"),
                (owns(FIELD, "installation quality and punctuality", lead=True),
                 contributes(HR, "engineer and contractor training"),
                 contributes(SUPPLY, "van stock")),
            ),
            StepSpec(
                "Activate the line and port the number", BS, "internal",
                "The network switches the service on and brings the customer's numbers over from the old "
                "provider.",
                ("the router lights are on but there's no internet",
                 "I lost my old number when I switched to you",
                 "the line only went live a day after the engineer left",
                 "my old provider cut me off before you connected me"),
                (owns(NETWORK, "activation and porting", lead=True),
                 contributes(IT, "provisioning systems")),
            ),
        )),
        StageSpec("Get started", "The customer sets up their home and the app.", (
            StepSpec(
                "Set up Wi-Fi and devices", CA, "home",
                "Connecting phones, laptops, TVs and consoles; placing the router and boosters.",
                ("the Wi-Fi doesn't reach the kids' bedrooms",
                 "how do I change the Wi-Fi password",
                 "the smart TV won't connect to the new router",
                 "the mesh booster I was promised wasn't in the box"),
                (owns(PRODUCT, "router and booster", lead=True),
                 contributes(CARE, "set-up help")),
            ),
            StepSpec(
                "Download the app and register", CA, "app",
                "The customer installs the app and creates their account to see bills, usage and help.",
                ("the app asked for an account number I don't have yet",
                 "the registration code never came by text",
                 "the app says my e-mail is already in use",
                 "couldn't register because my order isn't active yet"),
                (owns(IT, "registration service", lead=True),
                 contributes(UX, "sign-up screens"),
                 contributes(PRODUCT, "app roadmap")),
            ),
            StepSpec(
                "Receive the welcome message", FS, "e-mail, SMS",
                "Welcome e-mail and texts: what happens next, how to get help, how to use the app.",
                ("the welcome e-mail was useful and clear",
                 "the welcome e-mail went to my spam folder",
                 "got a welcome message before the service even worked",
                 "the welcome pack was full of upsell offers"),
                (owns(MARKETING, "welcome programme", lead=True),
                 contributes(CARE, "help content")),
            ),
        )),
    ),
)

HELP = JourneySpec(
    name="Get help & fix a problem",
    description="From noticing something is wrong to trusting it is fixed. App login failures and unclear "
                "outage messages drive much of the call volume here.",
    persona="Small business owner",
    keeper="tomas",
    reviewed_days_ago=140,
    stages=(
        StageSpec("Notice a problem", "The service stops working or gets slow.", (
            StepSpec(
                "Notice the service is down or slow", CA, "home, business",
                "The customer notices drop-outs, slow speeds or no mobile signal.",
                ("the internet keeps dropping every evening",
                 "no signal on my phone at home since Tuesday",
                 "speeds are a fraction of what I pay for",
                 "the card machine in my café can't connect",
                 "video calls freeze all the time"),
                (owns(NETWORK, "service reliability", lead=True),),
            ),
            StepSpec(
                "Detect incidents on the network", BS, "internal",
                "Monitoring detects faults and raises incidents before or as customers notice.",
                ("there must be a fault in the area, the whole street is down",
                 "you must know about the problem, why do I have to report it",
                 "the mast near me has been broken for days",
                 "there's an outage every night around 2am"),
                (owns(NETWORK, "monitoring and incident management", lead=True),
                 contributes(IT, "monitoring tools")),
            ),
            StepSpec(
                "Hear about an outage", FS, "SMS, app, web",
                "Outage texts, the status page and in-app banners. Network Operations supplies the facts, "
                "but no team owns what customers are told.",
                ("nobody told us there was an outage",
                 "the status page said all services normal while we were down",
                 "the text said fixed by 6pm and it's still not working",
                 "I found out about the outage on social media, not from you",
                 "the outage message didn't say when it would be back"),
                (contributes(NETWORK, "incident facts and estimated fix time"),
                 informed(CARE, "answers the calls when the message is unclear")),
            ),
        )),
        StageSpec("Look for help", "The customer tries to solve it themselves.", (
            StepSpec(
                "Log in to the app", CA, "app",
                "The customer signs in to the app to check for faults, run tests or contact us.",
                ("I can't log in to the app",
                 "the password reset e-mail never arrives",
                 "the app logs me out every time I open it",
                 "stuck on the verification code screen",
                 "since the last update the app won't accept my password"),
                (owns(IT, "login and identity service", lead=True),
                 contributes(UX, "sign-in screens"),
                 contributes(CARE, "takes the calls when login fails")),
            ),
            StepSpec(
                "Search the help centre", FS, "web, app",
                "Help articles and troubleshooting guides for common faults.",
                ("the help articles don't match what I see on my router",
                 "searched for no internet and got articles about billing",
                 "couldn't find a phone number anywhere on the help pages",
                 "the troubleshooting guide fixed it in five minutes"),
                (owns(CARE, "help content", lead=True),
                 contributes(UX, "help centre search and layout")),
            ),
            StepSpec(
                "Run a line test in the app", FS, "app",
                "A self-service test of the line and router with suggested next steps. Two teams own it; "
                "neither leads.",
                ("the line test says everything is fine but nothing works",
                 "the line test button just keeps spinning",
                 "the app told me to restart the router for the fifth time",
                 "the line test result was in technical language I don't understand"),
                (owns(IT, "app feature"),
                 owns(NETWORK, "diagnostic logic")),
            ),
            StepSpec(
                "Chat with the virtual assistant", FS, "chat",
                "The chatbot answers common questions and hands over to an agent.",
                ("the chatbot kept going round in circles",
                 "I just wanted a real person, not the bot",
                 "the virtual assistant didn't understand my question",
                 "the chat disconnected after half an hour of waiting for an agent"),
                (owns(CARE, "bot answers and handover", lead=True),
                 contributes(IT, "chat platform"),
                 contributes(UX, "conversation design")),
            ),
        )),
        StageSpec("Contact us", "The customer calls, chats or visits a store.", (
            StepSpec(
                "Call the helpline", CA, "phone",
                "The customer phones the helpline and waits to be answered.",
                ("I was on hold for over an hour",
                 "the helpline closes at 6 and I work until then",
                 "I've called four times about the same problem",
                 "the call dropped while I was in the queue"),
                (owns(CARE, "opening hours and staffing", lead=True),),
            ),
            StepSpec(
                "Phone menu and call routing", SS, "phone",
                "The voice menu identifies the customer and routes the call to the right queue.",
                ("the phone menu has far too many options",
                 "pressed 2 for faults and ended up in sales",
                 "the automated system didn't recognise my account number",
                 "the voice menu kept saying sorry, I didn't catch that"),
                (owns(IT, "telephony platform", lead=True),
                 contributes(CARE, "menu options and queues")),
            ),
            StepSpec(
                "Talk to an agent", FS, "phone, chat",
                "An agent identifies the customer, diagnoses the problem and resolves or escalates it.",
                ("the agent was friendly and sorted it first time",
                 "I had to explain my problem again to every person",
                 "the agent read from a script and didn't listen",
                 "I was transferred three times and then cut off",
                 "the agent promised a callback that never came"),
                (owns(CARE, "resolution and tone", lead=True),
                 contributes(HR, "agent hiring, training and targets")),
            ),
            StepSpec(
                "Get help in a store", FS, "store",
                "Store staff help with SIM swaps, devices and simple faults.",
                ("store staff said they can't help with broadband faults",
                 "the shop swapped my SIM on the spot, great service",
                 "the store told me to call the helpline instead",
                 "had to queue in the shop for ages just to ask a question"),
                (owns(SALES, "store service", lead=True),
                 contributes(CARE, "fault knowledge for stores")),
            ),
            StepSpec(
                "Agent desktop and customer record", SS, "internal",
                "The CRM screen where agents see the customer, their products, history and notes.",
                ("the agent said their system was slow today",
                 "the agent couldn't see the notes from my last call",
                 "they had no record of my complaint",
                 "the agent's screen froze and she had to ask for my details again"),
                (owns(IT, "CRM and agent desktop", lead=True),
                 contributes(CARE, "requirements and notes discipline")),
            ),
        )),
        StageSpec("Fix", "The fault is diagnosed and repaired.", (
            StepSpec(
                "Diagnose and fix remotely", BS, "internal",
                "Network engineers test the line, reset equipment and fix faults without a visit.",
                ("they reset the line remotely and it worked straight away",
                 "the remote reset didn't help at all",
                 "they said it's a fault in the exchange",
                 "the fault was fixed without me having to do anything"),
                (owns(NETWORK, "remote diagnosis", lead=True),
                 contributes(IT, "diagnostic tools")),
            ),
            StepSpec(
                "Book an engineer visit", FS, "phone, app",
                "When a visit is needed the customer is offered a repair appointment.",
                ("the next engineer appointment is in ten days",
                 "I had to stay home all day for a repair visit",
                 "I can't reschedule the engineer in the app",
                 "the engineer visit was booked but I never got a confirmation"),
                (owns(CARE, "booking the repair", lead=True),
                 contributes(FIELD, "repair capacity")),
            ),
            StepSpec(
                "Engineer repair visit", FS, "field",
                "An engineer repairs the line, wiring or equipment on site.",
                ("the engineer fixed the cable in the street, all good now",
                 "the engineer said it wasn't his job and left",
                 "he didn't have a replacement router with him",
                 "the engineer came but the problem was back the next day"),
                (owns(FIELD, "repair quality", lead=True),
                 contributes(SUPPLY, "spare parts")),
            ),
            StepSpec(
                "Send a replacement router", BS, "post",
                "A faulty router is replaced by courier.",
                ("the replacement router took a week to arrive",
                 "they sent me the same faulty model again",
                 "I was asked to return the old router before the new one came",
                 "the new router arrived next day, really impressed"),
                (owns(SUPPLY, "replacement logistics", lead=True),
                 contributes(CARE, "orders the replacement")),
            ),
            StepSpec(
                "Fault tickets and field scheduling", SS, "internal",
                "The ticketing and workforce systems that track faults and dispatch engineers.",
                ("my fault reference number doesn't exist",
                 "the ticket was closed but the problem isn't fixed",
                 "the engineer had the wrong address on his job sheet",
                 "got a text saying my case was resolved when it wasn't"),
                (owns(IT, "ticketing and scheduling platforms", lead=True),
                 contributes(FIELD, "dispatch rules")),
            ),
        )),
        StageSpec("Confirm & follow up", "The customer learns it is fixed and tells us how it went.", (
            StepSpec(
                "Get told it's fixed", FS, "SMS, e-mail",
                "A message confirms the fault is cleared and asks the customer to check.",
                ("got a text saying it's fixed but it still doesn't work",
                 "nobody let me know the fault was cleared",
                 "it was nice to get a message once everything was working again",
                 "the all-clear came before the engineer had even finished"),
                (owns(CARE, "closing the loop", lead=True),
                 contributes(NETWORK, "fault clearance status")),
            ),
            StepSpec(
                "Rate the help I got", CA, "survey",
                "A short survey after the case closes: CSAT, effort and a comment.",
                ("the survey asked ten questions about a two-minute call",
                 "I got a survey before my problem was even fixed",
                 "happy to give a 10 for the engineer",
                 "three surveys for one problem is too many"),
                (owns(CX_OFFICE, "survey design and timing", lead=True),),
            ),
            StepSpec(
                "Receive compensation for the outage", BS, "bill",
                "Automatic compensation for long outages and missed appointments, credited on the bill.",
                ("where is the automatic compensation for the three days I was offline",
                 "the compensation was only a few pennies",
                 "I had to ask for a credit for the outage",
                 "the outage credit showed up on my bill without asking, thank you"),
                (owns(BILLING, "credits", lead=True),
                 contributes(LEGAL, "regulatory compensation rules")),
            ),
            StepSpec(
                "Make a complaint", FS, "e-mail, letter, phone",
                "Formal complaints, their handling and escalation to the ombudsman.",
                ("I want to make a formal complaint",
                 "my complaint has been ignored for eight weeks",
                 "how do I escalate this to the ombudsman",
                 "the complaints team actually listened and put it right"),
                (owns(CARE, "complaint handling", lead=True),
                 contributes(LEGAL, "escalations and deadlines")),
            ),
        )),
    ),
)

PAY = JourneySpec(
    name="Pay & renew or leave",
    description="Bills, payments, the end of the contract and, for some, leaving. Where what sales promised "
                "meets what billing charges.",
    persona="Student on a budget",
    keeper="kira",
    reviewed_days_ago=70,
    stages=(
        StageSpec("Get billed", "Bills are produced and the customer reads them.", (
            StepSpec(
                "Receive the first bill", FS, "e-mail, app",
                "The first bill, often with part-month charges and one-off fees. Billing and Pricing both "
                "own it; no lead has been agreed.",
                ("my first bill is much higher than the salesperson said",
                 "I was told 30 a month and the first bill is 45",
                 "the first bill charged me for half a month before I even had service",
                 "there's an installation fee on it that I was told was free",
                 "the first bill has a router charge nobody mentioned"),
                (owns(BILLING, "bill layout and charges"),
                 owns(PRICING, "one-off fees and pro-rating rules"),
                 contributes(SALES, "what was promised at sale")),
            ),
            StepSpec(
                "Generate monthly bills", BS, "internal",
                "The monthly bill run: charges, discounts and usage are rated and bills are issued.",
                ("the bill came late this month",
                 "I was billed twice for the same month",
                 "my discount disappeared from this month's bill",
                 "my bill date changed without any warning"),
                (owns(BILLING, "bill run", lead=True),
                 contributes(IT, "bill run jobs")),
            ),
            StepSpec(
                "Billing and rating system", SS, "internal",
                "The platform that rates calls, data and roaming and holds account balances.",
                ("roaming charges for a day I was at home",
                 "the data usage on my bill doesn't match the app",
                 "the bill shows calls I never made",
                 "the app shows a different balance from my bill"),
                (owns(IT, "billing platform", lead=True),
                 contributes(BILLING, "rating rules")),
            ),
            StepSpec(
                "Query a charge on my bill", CA, "phone, chat",
                "The customer asks about or disputes a charge.",
                ("I don't understand this charge on my bill",
                 "nobody can explain what the service adjustment is",
                 "I disputed a charge and was told to wait for the next bill",
                 "they refunded the wrong charge straight away, thanks"),
                (owns(CARE, "answering bill queries", lead=True),
                 contributes(BILLING, "adjustments and credits")),
            ),
        )),
        StageSpec("Pay", "The customer pays, or struggles to.", (
            StepSpec(
                "Set up a payment method", CA, "app, web",
                "Direct debit, card payments and choosing a payment date.",
                ("the direct debit form keeps rejecting my bank details",
                 "I can't pay by card in the app",
                 "I want to move my payment date to after payday",
                 "I paid twice because the first payment looked like it had failed"),
                (owns(BILLING, "payment methods", lead=True),
                 contributes(IT, "payment pages")),
            ),
            StepSpec(
                "Payment reminders and collections", FS, "SMS, letter, phone",
                "Reminders, late-payment letters and collections calls.",
                ("I got a threatening letter for a bill I'd already paid",
                 "the reminder text came the day after my payment went out",
                 "a debt collector called me over a tiny amount",
                 "your reminder was polite and gave me time to pay"),
                (owns(BILLING, "collections policy", lead=True),
                 contributes(LEGAL, "fair treatment rules")),
            ),
            StepSpec(
                "Ask for help paying", FS, "phone",
                "Customers in financial difficulty ask for payment plans or a social tariff.",
                ("I've lost my job and can't pay this month",
                 "is there a cheaper social tariff",
                 "can I spread the cost of my bill",
                 "they agreed a payment plan and were really kind about it"),
                (owns(CARE, "vulnerable customer support", lead=True),
                 contributes(BILLING, "payment plans"),
                 informed(LEGAL)),
            ),
        )),
        StageSpec("Renew or change", "The contract ends or the customer wants something different.", (
            StepSpec(
                "Get told my contract is ending", FS, "e-mail, SMS",
                "The legally required end-of-contract notice with the customer's best available deal.",
                ("nobody told me my contract had ended and my price went up",
                 "the end of contract text didn't say what I'll pay next",
                 "I got the renewal notice only after the price had changed",
                 "a clear e-mail explaining my best deal, appreciated"),
                (owns(LEGAL, "notice content and timing", lead=True),
                 contributes(MARKETING, "message design"),
                 contributes(PRICING, "best-tariff calculation")),
            ),
            StepSpec(
                "Compare my deal with new-customer offers", CA, "web",
                "Existing customers compare their price with what new customers get.",
                ("new customers get double the speed for less money",
                 "loyalty doesn't pay with you",
                 "can I get the online offer as an existing customer",
                 "why is the same plan cheaper on a comparison site"),
                (owns(PRICING, "existing-customer pricing", lead=True),
                 contributes(MARKETING, "offer visibility")),
            ),
            StepSpec(
                "Upgrade my phone or plan", FS, "store, app",
                "Upgrading a handset, speed or allowance, in store or in the app.",
                ("the phone I wanted is out of stock everywhere",
                 "upgrading in the app was quick and easy",
                 "the upgrade restarted my contract without telling me",
                 "they said I'm not eligible to upgrade yet"),
                (owns(SALES, "upgrade sales", lead=True),
                 contributes(SUPPLY, "handset stock"),
                 contributes(PRICING, "upgrade prices")),
            ),
            StepSpec(
                "Move my service to a new home", FS, "phone, web",
                "Taking broadband to a new address: checking availability, booking a move date.",
                ("I'm moving house, how do I take my broadband with me",
                 "the house move was booked but the line wasn't ready",
                 "I was charged an early exit fee just for moving",
                 "moving home was the easiest part of the whole move"),
                (owns(CARE, "home moves", lead=True),
                 contributes(FIELD, "installation at the new home"),
                 contributes(SALES, "re-contracting")),
            ),
        )),
        StageSpec("Leave", "The customer cancels or switches away.", (
            StepSpec(
                "Ask to cancel", CA, "phone",
                "The customer asks to end their contract.",
                ("I want to cancel my contract",
                 "why can't I cancel online",
                 "it took three calls to cancel",
                 "they kept me on the phone for 40 minutes trying to stop me leaving"),
                (owns(RETENTION, "cancellation calls", lead=True),
                 contributes(HR, "retention agent incentives"),
                 informed(CARE)),
            ),
            StepSpec(
                "Receive a retention offer", FS, "phone",
                "Save offers made to customers who ask to leave.",
                ("they only offered me a discount when I tried to leave",
                 "the retention offer was better than any deal online",
                 "I was told the discount would apply but it never did",
                 "why wasn't I offered this before"),
                (owns(RETENTION, "save offers", lead=True),
                 contributes(PRICING, "save offer rules")),
            ),
            StepSpec(
                "Transfer my number to another provider", BS, "SMS, internal",
                "Issuing the switching code and porting the number out.",
                ("I need my code to switch my number",
                 "the switching code text never arrived",
                 "the number transfer took three days and I had no service",
                 "my number moved over smoothly"),
                (owns(NETWORK, "port-out", lead=True),
                 contributes(LEGAL, "switching regulation")),
            ),
            StepSpec(
                "Pay the final bill and get a refund", BS, "e-mail, post",
                "Closing the account: final charges, exit fees and refunds of credit balances.",
                ("the final bill charged me for a month after I left",
                 "I'm still waiting for my refund",
                 "the early termination fee was more than I was told",
                 "I was charged for a router I sent back"),
                (owns(BILLING, "final bill and refunds", lead=True),
                 informed(CARE)),
            ),
            StepSpec(
                "Return the old router", CA, "post",
                "Sending back rented equipment. Nobody owns it: customers are unsure how, and unreturned-kit "
                "charges follow.",
                ("how do I send the router back",
                 "the returns bag never arrived",
                 "I returned the router but still got charged for it",
                 "no one collected the equipment like they said they would"),
                (informed(SUPPLY, "receives returns"), informed(BILLING, "charges for missing kit")),
            ),
        )),
    ),
)

JOURNEYS = (JOIN, HELP, PAY)

# ---------------------------------------------------------------- handoffs

HANDOFFS = (
    HandoffSpec("Talk to a sales advisor", SALES, "Receive the first bill", BILLING,
                "What the advisor promised must match what Billing charges on the first bill."),
    HandoffSpec("Place the order", SALES, "Check credit and identity", FRAUD,
                "Every order goes through a credit and ID check before anything ships."),
    HandoffSpec("Check credit and identity", FRAUD, "Ship the router and SIM cards", SUPPLY,
                "Approved orders are released to the warehouse; held orders wait without a message."),
    HandoffSpec("Book an installation slot", SALES, "Technician installation visit", FIELD,
                "Sales books the slot; Field Engineering must have an engineer and kit for it."),
    HandoffSpec("Ship the router and SIM cards", SUPPLY, "Technician installation visit", FIELD,
                "The router must arrive before the engineer does."),
    HandoffSpec("Technician installation visit", FIELD, "Activate the line and port the number", NETWORK,
                "The engineer completes the job; Network Operations switches the line on."),
    HandoffSpec("Talk to an agent", CARE, "Log in to the app", IT,
                "Agents escalate login failures they cannot solve to IT."),
    HandoffSpec("Talk to an agent", CARE, "Diagnose and fix remotely", NETWORK,
                "Faults the agent cannot clear go to Network Operations for remote diagnosis."),
    HandoffSpec("Book an engineer visit", CARE, "Engineer repair visit", FIELD,
                "Care books the repair; Field Engineering carries it out."),
    HandoffSpec("Detect incidents on the network", NETWORK, "Hear about an outage", CARE,
                "Network Operations raises the incident; Care is expected to tell customers, but nobody owns "
                "the message."),
    HandoffSpec("Diagnose and fix remotely", NETWORK, "Get told it's fixed", CARE,
                "When the fault is cleared Care confirms it with the customer."),
    HandoffSpec("Make a complaint", CARE, "Receive compensation for the outage", BILLING,
                "Upheld complaints about outages become credits on the bill."),
    HandoffSpec("Receive the first bill", BILLING, "Query a charge on my bill", CARE,
                "Customers disputing a bill are sent to Customer Care, who must check with Billing."),
    HandoffSpec("Query a charge on my bill", CARE, "Generate monthly bills", BILLING,
                "Credits agreed by an agent are applied by Billing on the next bill."),
    HandoffSpec("Ask to cancel", RETENTION, "Pay the final bill and get a refund", BILLING,
                "Confirmed cancellations go to Billing for the final bill."),
    HandoffSpec("Pay the final bill and get a refund", BILLING, "Return the old router", SUPPLY,
                "Billing charges for unreturned kit unless Supply Chain confirms the return in time."),
)


def all_steps() -> list[tuple[JourneySpec, StageSpec, StepSpec]]:
    return [(j, s, step) for j in JOURNEYS for s in j.stages for step in s.steps]


def demo_users() -> list[tuple[str, str]]:
    """(username, what this person is and what to try), as `cxkeeper demo` prints them."""
    return [(p.username, p.about) for p in PEOPLE]
