namespace Engage.Domain.Signals;

/// <summary>
/// Every word list and threshold the <see cref="SignalClassifier"/> uses, in one place. Bound from the
/// configuration section <c>Signals</c>; the defaults below are the documented behaviour (docs/scoring.md,
/// "Signals"). Phrases are matched case-insensitively on whole words; a space in a phrase matches any run
/// of whitespace. Binding a list from configuration appends to the defaults (the .NET binder's list
/// behaviour); set an index explicitly (<c>Signals:Thanks:0</c>) to replace an entry.
/// </summary>
public sealed class SignalLexicon
{
    /// <summary>Only the first this-many characters of a text are read: signals are decided by the opening of a long text, and cost stays bounded.</summary>
    public int MaxTextLength { get; set; } = 32_768;

    // ---- question -------------------------------------------------------------------------------

    /// <summary>
    /// Sentence openings that make a question even without a trailing <c>?</c> ("can anyone help me with this.").
    /// Openings that also start statements ("what's funny is…", "what I meant…", "where is the catch") are left out:
    /// those sentences are questions only with a <c>?</c>.
    /// </summary>
    public List<string> QuestionOpeners { get; set; } =
    [
        "can anyone", "can anybody", "can someone", "can somebody", "could anyone", "could anybody", "could someone", "could somebody",
        "would anyone", "would anybody", "does anyone", "does anybody", "did anyone", "did anybody", "has anyone", "has anybody",
        "have you", "have any of you", "is anyone", "is anybody", "is there", "are there", "anyone know", "anybody know",
        "anyone else", "anyone have", "anybody have", "anyone seen", "anyone tried", "any idea", "any ideas", "any suggestions",
        "any thoughts", "any advice", "any tips", "any pointers", "any update", "any updates", "any news", "any chance", "any eta", "any progress", "any luck", "any workaround",
        "do you know", "does this", "does it", "do i", "do we", "do you", "how do", "how does", "how did", "how can", "how could",
        "how to", "how should", "how would", "how come", "how much", "how many",
        "what do", "what does", "what did", "what should", "what would", "what if", "when will", "when does", "when do",
        "where can", "where do", "where does", "which one", "who knows", "who can", "who has", "why is", "why are", "why does",
        "why do", "why doesn't", "why don't",
        "why would", "why can't", "why isn't", "is it", "is this", "is that", "are you", "can i", "can we", "can you",
        "could you", "should i", "should we", "would it", "will it", "i wonder if", "i was wondering", "wondering if",
        "i'd like to know", "i would like to know",
    ];

    /// <summary>Whole sentences that end in <c>?</c> but ask nothing ("why not?", "who knew?").</summary>
    public List<string> RhetoricalQuestions { get; set; } =
    [
        "why not", "who knew", "guess what", "who cares", "right", "am i right", "amirite", "you know", "know what i mean",
        "what could go wrong", "what could possibly go wrong", "need i say more", "what else is new", "how cool is that",
        "how awesome is that", "isn't it", "innit", "eh", "huh", "srsly", "really", "seriously", "why", "what", "wtf", "orly",
    ];

    /// <summary>Sentence openings of rhetorical questions ("who doesn't love X?", "wouldn't it be nice…?").</summary>
    public List<string> RhetoricalOpeners { get; set; } =
    [
        "who doesn't", "who does not", "who wouldn't", "who would not", "who didn't", "wouldn't it be", "would not it be",
        "isn't it great", "isn't it nice", "isn't that great", "how cool is", "how awesome is", "how great is", "what's not to",
        "what is not to", "guess what", "who knew", "why wouldn't you", "need i say",
    ];

    /// <summary>Tag questions: a comma and one of these closing a statement ("…, isn't it?", "…, right?") make it rhetorical.</summary>
    public List<string> TagQuestions { get; set; } =
    [
        "right", "isn't it", "aren't they", "aren't you", "wasn't it", "doesn't it", "don't they", "don't you think", "don't you",
        "won't it", "isn't that so", "am i right", "amirite", "eh", "no", "yeah", "huh", "innit", "you know", "agreed", "ok", "okay",
        "are you", "is it", "is there", "isn't there", "do you", "did you", "didn't you", "does it", "did it", "didn't it",
        "was it", "can you", "can't you", "will you", "won't you", "have you", "haven't you", "shall we", "would you",
        "wouldn't you", "isn't he", "isn't she", "aren't we", "don't we", "no?",
    ];

    // ---- thanks ---------------------------------------------------------------------------------

    /// <summary>Words and phrases of thanks. Appreciation words are checked further (see <see cref="AppreciationRequests"/>).</summary>
    public List<string> Thanks { get; set; } =
    [
        "thanks", "thank you", "thank u", "thankyou", "thx", "thanx", "thnx", "tnx", "ty", "tyvm", "tysm", "thank", "many thanks",
        "much appreciated", "appreciate it", "appreciate that", "appreciate this", "appreciate you", "appreciate your",
        "appreciate the", "appreciated", "i appreciate", "we appreciate", "grateful", "kudos", "merci", "danke", "gracias",
        "obrigado", "grazie", "ありがとう", "谢谢", "감사합니다", "شكرا", "спасибо",
    ];

    /// <summary>What follows a thanks word when it is anticipatory: "thanks in advance" is not (yet) thanks.</summary>
    public List<string> AnticipatoryThanks { get; set; } =
    [
        "in advance", "in anticipation", "ahead of time", "beforehand", "for any", "for your help in advance",
    ];

    /// <summary>Objects of "thanks for …" that, closing a message that asks something, are anticipatory ("How do I…? Thanks for helping").</summary>
    public List<string> AnticipatoryThanksObjects { get; set; } =
    [
        "help", "helping", "any help", "your help", "the help", "assistance", "reading", "your time", "looking", "advice",
        "suggestions", "ideas", "pointers", "any", "in advance", "listening",
    ];

    /// <summary>Appreciation asked for rather than given ("any help would be appreciated", "feedback appreciated").</summary>
    public List<string> AppreciationRequests { get; set; } =
    [
        "would be appreciated", "would be greatly appreciated", "would be much appreciated", "would be very appreciated",
        "will be appreciated", "is appreciated", "are appreciated", "is always appreciated", "would appreciate", "i'd appreciate",
        "we'd appreciate", "would really appreciate", "would be grateful", "i'd be grateful", "would be very grateful",
        "appreciate any", "appreciate if", "appreciated if", "grateful if", "help appreciated", "feedback appreciated",
        "input appreciated", "comments appreciated", "suggestions appreciated", "advice appreciated", "ideas appreciated",
        "help is appreciated", "feedback is appreciated", "contributions appreciated", "patches appreciated",
        "didn't appreciate", "don't appreciate", "doesn't appreciate", "not appreciate", "to appreciate",
        "really appreciate the irony", "didn't really appreciate", "never appreciated",
    ];

    /// <summary>"Thanks to X" is gratitude when X is one of these (or a mention); otherwise "thanks to the new cache, …" is causal.</summary>
    public List<string> ThanksToPersons { get; set; } =
    [
        "you", "your", "all", "everyone", "everybody", "people", "folks", "guys", "contributors", "team", "community",
        "maintainers", "reviewers", "those who", "those that", "all who", "anyone who", "users", "friends", "colleagues",
        "testers", "translators", "sponsors", "volunteers",
    ];

    /// <summary>Words that open a causal "thanks to the …" (not a person).</summary>
    public List<string> Determiners { get; set; } =
    [
        "the", "a", "an", "its", "it's", "this", "that", "these", "their", "his", "her", "my", "our", "some", "new", "improved",
        "better", "recent", "using", "changes", "faster", "more", "less",
    ];

    /// <summary>Words before a thanks word that negate it ("no thanks").</summary>
    public List<string> ThanksNegations { get; set; } = ["no", "nope", "without"];

    // ---- recommendation -------------------------------------------------------------------------

    /// <summary>Recommending phrases whose object is the mentioned user, right after the phrase ("follow @ana", "hire @bo", "kudos to @cy").</summary>
    public List<string> RecommendationsDirect { get; set; } =
    [
        "follow", "go follow", "give a follow to", "worth following", "hire", "should hire", "great work by", "great job by",
        "amazing work by", "awesome work by", "nice work by", "shout-out to", "shout out to", "shoutout to", "shout-out",
        "shoutout", "kudos to", "props to", "you should talk to", "talk to", "reach out to", "vouch for", "endorse",
        "introduce you to", "big up",
    ];

    /// <summary>Recommending phrases whose mention may come a few words later ("check out this talk by @ana").</summary>
    public List<string> RecommendationsNear { get; set; } =
    [
        "check out", "recommend", "recommends", "recommended", "recommending", "highly recommend", "must follow", "must read",
        "must-read", "worth a follow", "worth reading", "worth a read", "should check out",
    ];

    /// <summary>Recommending phrases that come after the mention ("@ana is worth following", "@bo @cy: great folks to follow").</summary>
    public List<string> RecommendationsAfter { get; set; } =
    [
        "folks to follow", "people to follow", "accounts to follow", "devs to follow", "a great follow", "a good follow",
        "worth following", "worth a follow", "highly recommended", "comes highly recommended", "is a must follow",
        "must follow", "recommended", "deserves a follow", "deserve a follow", "should be followed",
    ];

    /// <summary>Hashtags that recommend the users mentioned with them (#FollowFriday).</summary>
    public List<string> RecommendationHashtags { get; set; } = ["#ff", "#followfriday", "#shoutout", "#shoutouts", "#recommended"];

    /// <summary>Words allowed between a direct recommending phrase and the mention ("follow my friend @ana").</summary>
    public List<string> RecommendationFillers { get; set; } =
    [
        "my", "our", "the", "friend", "friends", "colleague", "colleagues", "fellow", "buddy", "teammate", "coworker",
        "amazing", "awesome", "great", "talented", "brilliant", "wonderful", "lovely", "folks", "at", "and", "also",
    ];

    /// <summary>How many words may separate a near recommending phrase from the mention.</summary>
    public int RecommendationWindow { get; set; } = 5;

    // ---- lowContent / linkOnly -----------------------------------------------------------------

    /// <summary>Reactions and fillers that carry no substance on their own ("+1", "me too", "great post!", "lol").</summary>
    public List<string> LowContent { get; set; } =
    [
        "+1", "+100", "++", "-1", "me too", "me too!", "metoo", "same", "same here", "same issue", "same problem", "same for me",
        "this", "this is the way", "^", "^^", "^this", "this!", "ditto", "seconded", "second this", "agreed", "agree", "i agree",
        "totally agree", "exactly", "indeed", "so true", "true", "very true", "yes", "yep", "yup", "yeah", "no", "nope", "ok",
        "okay", "k", "ah", "oh", "ahh", "ooh", "hmm", "hm", "bump", "following", "subscribed", "subscribe", "watching",
        "nice", "nice one", "cool", "great", "awesome", "amazing", "excellent", "perfect", "brilliant", "neat", "sweet",
        "wow", "woah", "whoa", "lol", "lmao", "rofl", "haha", "hahaha", "heh", "hehe", "teehee", "lulz", "yay", "woot", "w00t",
        "yawn", "meh", "interesting", "love it", "love this", "loved it", "well done", "good job", "great job", "nice job",
        "congrats", "congratulations", "grats", "fyi", "lgtm", "no argument", "no argument here", "noted", "poggers", "pog",
        "omg", "wtf", "good", "post", "change", "article", "idea", "point", "stuff", "work", "thread", "one", "read", "share",
        "sharing", "can confirm", "confirmed", "happens to me too", "same thing", "cc", "true that", "word", "preach", "facts", "based", "fire", "dope", "epic", "legend", "classic",
        "well said", "well put", "100%", "100 %", "this 100%", "big if true", "nailed it", "spot on", "so good", "agreed 100%",
    ];

    /// <summary>A text is lowContent when, after the low-content phrases, stop words, emoji and a sign-off name are removed, at most this many words remain.</summary>
    public int LowContentMaxExtraWords { get; set; } = 1;

    /// <summary>Texts longer than this many words are never lowContent.</summary>
    public int LowContentMaxWords { get; set; } = 12;

    /// <summary>Filler around a shared link that does not count as the poster's own words.</summary>
    public List<string> LinkFiller { get; set; } =
    [
        "check this out", "check it out", "check out", "look at this", "look", "see", "via", "link", "here", "read", "this",
        "must read", "worth a read", "fyi", "h/t", "ht", "img", "image", "pic", "photo", "video", "new post", "new blog post",
        "blog post", "posted", "post", "article", "wow", "cool", "nice", "interesting", "lol", "source", "url", "discuss",
        "more", "story", "thread", "watch", "listen",
    ];

    /// <summary>A post or quote with a link is linkOnly when fewer than this many meaningful words remain beside it.</summary>
    public int LinkOnlyMinWords { get; set; } = 4;

    /// <summary>Words that do not count as meaningful (for lowContent and linkOnly).</summary>
    public List<string> StopWords { get; set; } =
    [
        "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as", "is", "are",
        "was", "were", "be", "been", "being", "am", "it", "its", "it's", "this", "that", "these", "those", "i", "i'm", "me",
        "my", "we", "us", "our", "you", "your", "he", "she", "they", "them", "his", "her", "their", "so", "too", "very",
        "really", "just", "here", "there", "also", "all", "some", "such", "has", "have", "had", "do", "does", "did", "not",
        "no", "yes", "up", "out", "about", "into", "over", "again", "then", "than", "now", "what", "which", "who", "how",
        "there's", "that's", "what's", "let's", "one", "way", "much", "more", "most", "lot", "lots", "quite", "totally",
        "hi", "hello", "hey", "folks", "everyone", "guys", "all", "y'all",
    ];

    /// <summary>Words that make a number a date or a time, not data ("Aug 29", "4 pm").</summary>
    public List<string> DateWords { get; set; } =
    [
        "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul", "july", "aug",
        "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec", "december", "am", "pm", "a.m", "p.m",
        "o'clock", "utc", "gmt", "cet", "cest", "pst", "pdt", "est", "edt", "ist",
    ];

    /// <summary>Words skipped before a question opener ("so, how do I…", "btw is there…").</summary>
    public List<string> QuestionLeadIns { get; set; } =
    [
        "so", "and", "but", "also", "btw", "ok", "okay", "well", "anyway", "anyways", "hmm", "oh", "ah", "um", "still", "plus",
        "then", "now", "hi", "hello", "hey", "sorry", "quick", "question", "q", "just", "curious",
    ];

    // ---- own text -------------------------------------------------------------------------------

    /// <summary>Line endings that introduce someone else's quoted text ("On Tuesday, Ana wrote:").</summary>
    public List<string> AttributionMarkers { get; set; } =
    [
        "wrote:", "writes:", "said:", "wrote :", "a écrit :", "a écrit:", "schrieb:", "skrev:", "skrev du:", "escribió:",
        "ha scritto:", "kirjoitti:", "napisał:", "написал:", "is thought to have said:", "didst pronounce:", "mentioned:",
        "thought:",
    ];

    /// <summary>Top-level domains recognised in bare links ("example.com/path"); other "word.word" tokens (file.py, Conf.pm) are not links.</summary>
    public List<string> LinkTlds { get; set; } =
    [
        "com", "org", "net", "edu", "gov", "mil", "int", "io", "dev", "app", "ai", "co", "info", "biz", "xyz", "tech", "site",
        "online", "blog", "news", "social", "cloud", "page", "ly", "gg", "sh", "tv", "fm", "ie", "uk", "de", "fr", "nl", "ch",
        "fi", "se", "dk", "jp", "cn", "ru", "au", "ca", "us", "eu", "es", "pl", "cz", "br", "nz", "za", "kr", "tw", "hk", "sg",
        "mx", "ar", "gr", "pt", "ro", "hu", "sk", "lt", "lv", "ee", "ua", "tr", "il", "th", "vn", "id", "ph", "my", "cl",
    ];
}
